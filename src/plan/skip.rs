//! The structural skipper: finds where one JSON value ends, 64 bytes at a time, without building
//! it. It runs a simdjson-style stage 1 on each block (quote, backslash and bracket masks, escaped
//! characters from runs of backslashes, the in-string mask as a prefix XOR of the real quotes,
//! brackets outside strings) and counts depth with popcounts, walking bracket bits one by one only
//! in the block where the value can end.
//!
//! # The contract
//!
//! The skipper checks structure, not grammar. Fed a value's bytes in order (in chunks split
//! anywhere), it answers exactly what this byte-at-a-time definition answers ([`Skipper::feed`]
//! on any input equals `reference::feed`, which `tests/skipper.rs` checks on random bytes split at
//! every offset):
//!
//! 1. Whitespace (space, `\t`, `\n`, `\r`) before the value is passed over. The first other byte
//!    must be `"`, `{`, `[`, `t`, `f`, `n`, `-` or a digit; any other is [`Fed::Unexpected`] at
//!    that byte.
//! 2. A string ends at the first `"` not escaped; a backslash escapes the byte after it, whatever
//!    it is. The bytes between are not checked (control characters, escape letters, `\u` digits).
//! 3. An object or array ends where the count of `{` and `[` minus `}` and `]` outside strings
//!    returns to zero. Each `}` or `]` must close the kind that is open (else [`Fed::Unexpected`]
//!    at it), and more than [`MAX_DEPTH`] levels open at once are [`Fed::TooDeep`] at the bracket
//!    that opens one more. A string may start only where a key or a value can: the last byte
//!    before its quote that is not whitespace is `{`, `[`, `,` or `:` (else [`Fed::Unexpected`]
//!    at the quote). Commas, colons, keys and the scalars inside are not otherwise checked. A
//!    backslash outside a string is no escape (and a quote after it is misplaced).
//! 4. A scalar (`t`, `f`, `n`, `-`, digit) ends before the first `,`, `}`, `]` or whitespace;
//!    its bytes are not checked.
//! 5. Input that ends before the value does is [`Fed::More`].
//!
//! What follows for JSON (also tested, against serde_json): for every value serde_json accepts,
//! the skipper ends it where serde_json does; every proper prefix of an object, array or string is
//! `More`; and where the skipper reads a string or a bracket, a parser reads the same one (rule
//! 3: a quote in a place no string can start, or a bracket of the wrong kind, is an error, not a
//! different reading), so a skipped value never ends past where its own brackets close it. Before
//! these two checks (attack review, 2026-12-02), `"a":[t"]` made the skipper take the quote for a
//! string's start and read the next entries, a Lambda function among them, as one skipped string;
//! `[}` did the same with brackets. The scanner's callers check what follows a skipped value (`,`,
//! `}`, `]`, the end). Other broken grammar inside a skipped value (a bad scalar, a missing comma,
//! a control character) is not an error, by design: it cannot move where a value ends, and it is
//! rejected by serde_json wherever a value is read.
//!
//! The input is UTF-8 already checked by the caller; the skipper looks only at ASCII bytes.

/// What one call of [`Skipper::feed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// The value ends after this many bytes of the chunk.
    Done(usize),
    /// The whole chunk belongs to the value.
    More,
    /// A byte that cannot start a value, or breaks its structure (rule 3), at this index of the
    /// chunk.
    Unexpected(usize),
    /// A bracket that opens more than [`MAX_DEPTH`] levels, at this index of the chunk.
    TooDeep(usize),
}

/// The most levels of `[` and `{` a skipped value may hold open at once. serde_json reads at most
/// 128 levels from the document's top, and a skipped value is at least one level down: nothing
/// serde reads is refused.
pub const MAX_DEPTH: u64 = 128;

/// Where one JSON value ends, fed its bytes in order. The state between chunks is a few flags
/// and the depth.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Skipper {
    /// Levels open, at most [`MAX_DEPTH`].
    depth: u64,
    /// The kinds of the open levels, bit `d` for level `d + 1` (set: `[`, clear: `{`).
    kinds: u128,
    /// The last byte outside strings that is not whitespace is one after which no string can
    /// start (anything but `{`, `[`, `,`, `:`; a string's closing quote).
    after_value: bool,
    in_string: bool,
    /// The next byte is escaped (a backslash ended the last chunk inside a string).
    escape: bool,
    started: bool,
    scalar: bool,
}

/// The masks of one block: bit `i` is set when byte `i` is that character.
#[derive(Clone, Copy)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `[` or `{`.
    open: u64,
    /// `]` or `}`.
    close: u64,
    /// `,` or `:`.
    separator: u64,
    /// Space, tab, line feed, carriage return.
    blank: u64,
}

const BLOCK: usize = 64;

/// How far ahead of the block in hand the skipper asks for memory: the block step's chain of
/// work is long enough that the out-of-order window alone keeps too few loads in flight.
const PREFETCH: usize = 1024;

/// Asks the CPU to bring `bytes[at]` into cache, when there is such a byte.
#[inline(always)]
fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if at < bytes.len() {
        // SAFETY: a prefetch hint for an address inside `bytes`; it reads nothing and cannot
        // fault. SSE is baseline on x86_64.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                bytes.as_ptr().add(at).cast(),
                std::arch::x86_64::_MM_HINT_T0,
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

impl Skipper {
    pub fn new() -> Self {
        Skipper::default()
    }

    /// Feeds the next bytes of the value.
    pub fn feed(&mut self, bytes: &[u8]) -> Fed {
        self.feed_on(Backend::Detected, bytes)
    }

    /// [`Skipper::feed`] on a chosen backend (for the tests and benchmarks that compare them);
    /// a backend this CPU lacks falls back to the detected one.
    pub fn feed_on(&mut self, backend: Backend, bytes: &[u8]) -> Fed {
        let mut i = 0;
        while i < bytes.len() {
            if !self.started {
                match bytes[i] {
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b'"' => {
                        self.started = true;
                        self.in_string = true;
                    }
                    b'{' | b'[' => {
                        self.started = true;
                        self.open(bytes[i]);
                    }
                    b't' | b'f' | b'n' | b'-' | b'0'..=b'9' => {
                        self.started = true;
                        self.scalar = true;
                    }
                    _ => return Fed::Unexpected(i),
                }
                i += 1;
                continue;
            }
            if self.scalar {
                return match bytes[i..]
                    .iter()
                    .position(|&b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                {
                    Some(j) => Fed::Done(i + j),
                    None => Fed::More,
                };
            }
            return match self.body(backend, &bytes[i..]) {
                Fed::Done(n) => Fed::Done(i + n),
                Fed::More => Fed::More,
                Fed::Unexpected(n) => Fed::Unexpected(i + n),
                Fed::TooDeep(n) => Fed::TooDeep(i + n),
            };
        }
        Fed::More
    }

    /// Opens one more level of `bracket`'s kind (the caller checked the depth).
    #[inline(always)]
    fn open(&mut self, bracket: u8) {
        if bracket == b'[' {
            self.kinds |= 1u128 << self.depth;
        } else {
            self.kinds &= !(1u128 << self.depth);
        }
        self.depth += 1;
        self.after_value = false;
    }

    /// Closes the open level with `bracket`, if it is of its kind.
    #[inline(always)]
    fn close(&mut self, bracket: u8) -> bool {
        let square = (self.kinds >> (self.depth - 1)) & 1 != 0;
        if square != (bracket == b']') {
            return false;
        }
        self.depth -= 1;
        self.after_value = true;
        true
    }

    /// The body of a string or container: where the value ends within `bytes`, if there.
    fn body(&mut self, backend: Backend, bytes: &[u8]) -> Fed {
        if backend == Backend::Portable {
            return self.body_portable(bytes);
        }
        #[cfg(target_arch = "x86_64")]
        {
            if backend != Backend::Sse2 && avx2() {
                // SAFETY: the CPU supports AVX2, BMI1 and POPCNT (checked at run time by `avx2`).
                return unsafe { self.body_avx2(bytes) };
            }
            // SAFETY: SSE2 is part of the x86_64 baseline.
            unsafe { self.body_sse2(bytes) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.body_portable(bytes)
        }
    }
}

/// Which block implementation [`Skipper::feed_on`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// AVX2 where the CPU has it, else SSE2 on x86_64, else portable.
    Detected,
    /// SSE2 (x86_64 only; elsewhere the detected one).
    Sse2,
    /// Masks built a byte at a time, no SIMD.
    Portable,
}

/// Whether AVX2 (with the BMI1 and POPCNT that every AVX2 CPU has) can be used. `std` caches the
/// detection; `TRACEGATE_NO_AVX2` forces the SSE2 path, for tests and benchmarks.
#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static STATE: AtomicU8 = AtomicU8::new(0);
    match STATE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let yes = std::env::var_os("TRACEGATE_NO_AVX2").is_none()
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("bmi1")
                && is_x86_feature_detected!("popcnt");
            STATE.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

/// Which backend `feed` uses on this machine, for benchmarks and reports.
pub fn backend() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            "avx2"
        } else {
            "sse2"
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        "portable"
    }
}

const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// Bit `i` set for every byte that a backslash escapes, and the escape to carry into the next
/// block (simdjson's `json_escape_scanner`). `carry` is 1 when byte 0 is escaped.
#[inline(always)]
fn escaped(backslash: u64, carry: u64, len: usize) -> (u64, u64) {
    if backslash == 0 {
        return (carry, 0);
    }
    let potential = backslash & !carry;
    let maybe_escaped = potential << 1;
    let codes = ((maybe_escaped | ODD_BITS).wrapping_sub(potential)) ^ ODD_BITS;
    let escaped = codes ^ (backslash | carry);
    let escape = codes & backslash;
    (escaped, (escape >> (len - 1)) & 1)
}

/// Bit `i` set when an odd number of bits at or below `i` are set.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// One block's step: where the value ends within the block, `More` with the state carried past
/// it, or the error. `len` is the number of real bytes (the rest of the masks is zero, and blank).
#[inline(always)]
fn step(state: &mut Skipper, masks: Masks, len: usize, block: &[u8]) -> Fed {
    let (escaped, escape_carry) = escaped(masks.backslash, u64::from(state.escape), len);
    let quote = masks.quote & !escaped;
    let carried = if state.in_string { !0 } else { 0 };
    let in_string = prefix_xor(quote) ^ carried;
    if masks.backslash & !in_string != 0 {
        // A backslash outside a string (invalid JSON): rule 3 says it is no escape, where the
        // masks took it for one. Redo the block byte by byte.
        return reference::feed_body(state, &block[..len]);
    }
    if state.depth == 0 {
        // A string at the top: it ends at its first real quote.
        if quote != 0 {
            return Fed::Done(quote.trailing_zeros() as usize + 1);
        }
        state.escape = escape_carry != 0;
        return Fed::More;
    }
    let real = if len == BLOCK { !0 } else { (1u64 << len) - 1 };
    let outside = !in_string & real;
    // Opening quotes are inside (the in-string mask includes them); closing ones outside.
    let opening = quote & in_string;
    let blank = masks.blank & outside;
    let open = masks.open & outside;
    let close = masks.close & outside;
    let before_string = open | (masks.separator & outside);
    let after_value = outside & !blank & !before_string;
    // A quote is misplaced when the last byte before it that is not blank ends a value: from
    // each such byte, step past the blanks that follow (the carry of an addition runs through
    // each run of blank bits) and see whether a quote is where that lands.
    let next = (after_value << 1) | u64::from(state.after_value && !state.in_string);
    let landed = (next & !blank) | ((next & blank).wrapping_add(blank) & !blank);
    let misplaced = landed & opening;
    let first_misplaced = if misplaced == 0 {
        BLOCK as u32
    } else {
        misplaced.trailing_zeros()
    };
    let mut brackets = open | close;
    while brackets != 0 {
        let at = brackets.trailing_zeros();
        if at > first_misplaced {
            break;
        }
        let byte = block[at as usize];
        if open & (1u64 << at) != 0 {
            if state.depth == MAX_DEPTH {
                return Fed::TooDeep(at as usize);
            }
            state.open(byte);
        } else {
            if !state.close(byte) {
                return Fed::Unexpected(at as usize);
            }
            if state.depth == 0 {
                return Fed::Done(at as usize + 1);
            }
        }
        brackets &= brackets - 1;
    }
    if misplaced != 0 {
        return Fed::Unexpected(first_misplaced as usize);
    }
    // What the next block starts after: the last byte that is not blank, if the block has one
    // outside strings (a run of blanks to the block's end keeps the flag as it was).
    let marks = after_value | before_string;
    if marks != 0 {
        let last = 63 - marks.leading_zeros();
        state.after_value = after_value & (1u64 << last) != 0;
    }
    state.in_string = (in_string >> (len - 1)) & 1 != 0;
    state.escape = escape_carry != 0;
    Fed::More
}

/// The block loop, shared by every backend: `$masks` turns a pointer to 64 readable bytes into
/// masks.
macro_rules! body_loop {
    ($state:expr, $bytes:expr, $block:ident => $masks:expr) => {{
        let state: &mut Skipper = $state;
        let bytes: &[u8] = $bytes;
        let mut at = 0;
        while at + BLOCK <= bytes.len() {
            prefetch(bytes, at + PREFETCH);
            let block = &bytes[at..at + BLOCK];
            let masks = {
                let $block = block;
                // Opaque to the optimiser: seen through, the movemasks became vectors of bits,
                // and the block's additions scalarised them bit by bit (4× slower on AVX2).
                std::hint::black_box($masks)
            };
            match step(state, masks, BLOCK, block) {
                Fed::More => {}
                Fed::Done(n) => return Fed::Done(at + n),
                Fed::Unexpected(n) => return Fed::Unexpected(at + n),
                Fed::TooDeep(n) => return Fed::TooDeep(at + n),
            }
            at += BLOCK;
        }
        if at < bytes.len() {
            // The tail, padded with spaces (which are no structure).
            let len = bytes.len() - at;
            let mut padded = [b' '; BLOCK];
            padded[..len].copy_from_slice(&bytes[at..]);
            let masks = {
                let $block = &padded[..];
                $masks
            };
            match step(state, masks, len, &bytes[at..]) {
                Fed::More => {}
                Fed::Done(n) => return Fed::Done(at + n),
                Fed::Unexpected(n) => return Fed::Unexpected(at + n),
                Fed::TooDeep(n) => return Fed::TooDeep(at + n),
            }
        }
        Fed::More
    }};
}

impl Skipper {
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    unsafe fn body_avx2(&mut self, bytes: &[u8]) -> Fed {
        body_loop!(self, bytes, block => {
            // SAFETY: `block` holds 64 bytes and this function runs only where AVX2 is present.
            unsafe { x86::masks_avx2(block) }
        })
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "sse2")]
    unsafe fn body_sse2(&mut self, bytes: &[u8]) -> Fed {
        body_loop!(self, bytes, block => {
            // SAFETY: `block` holds 64 bytes; SSE2 is part of the x86_64 baseline.
            unsafe { x86::masks_sse2(block) }
        })
    }

    fn body_portable(&mut self, bytes: &[u8]) -> Fed {
        body_loop!(self, bytes, block => masks_portable(block))
    }
}

/// The masks of a block without SIMD (other architectures, and the tests' cross-check): eight
/// bytes at a time in a `u64`.
#[inline(always)]
fn masks_portable(block: &[u8]) -> Masks {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    /// The high bit of every byte of `word` that is `byte`, exactly.
    #[inline(always)]
    fn equal(word: u64, byte: u8) -> u64 {
        let y = word ^ (ONES * u64::from(byte));
        !(((y & LOWS) + LOWS) | y) & !LOWS
    }
    /// The eight high bits, gathered into bits 0..8 (byte `i`'s into bit `i`): every product term
    /// lands on its own bit, so the multiplication carries nothing.
    #[inline(always)]
    fn gather(high: u64) -> u64 {
        ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }
    let mut masks = Masks {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
        separator: 0,
        blank: 0,
    };
    for (i, chunk) in block[..BLOCK].chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let folded = word & 0xDFDF_DFDF_DFDF_DFDF;
        let shift = 8 * i;
        masks.quote |= gather(equal(word, b'"')) << shift;
        masks.backslash |= gather(equal(word, b'\\')) << shift;
        masks.open |= gather(equal(folded, b'[')) << shift;
        masks.close |= gather(equal(folded, b']')) << shift;
        masks.separator |= gather(equal(word, b',') | equal(word, b':')) << shift;
        masks.blank |= gather(
            equal(word, b' ') | equal(word, b'\t') | equal(word, b'\n') | equal(word, b'\r'),
        ) << shift;
    }
    masks
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Masks, BLOCK};
    use std::arch::x86_64::*;

    /// Bit `i` set where byte `i` of `v` is `c`.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn eq32(v: __m256i, c: u8) -> u64 {
        // SAFETY: the caller guarantees AVX2. (Newer compilers call these intrinsics safe inside
        // an AVX2 function; the block keeps older ones, down to the crate's rust-version, happy.)
        #[allow(unused_unsafe)]
        unsafe {
            u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8))) as u32)
        }
    }

    /// Bit `i` set where byte `i` of `v` is one of `bytes`: the comparisons are joined before the
    /// one movemask (joining movemasks instead made LLVM rebuild vectors bit by bit, 4× slower).
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn any32(v: __m256i, bytes: &[u8]) -> u64 {
        // SAFETY: the caller guarantees AVX2 (see `eq32`).
        #[allow(unused_unsafe)]
        unsafe {
            let mut any = _mm256_setzero_si256();
            for &c in bytes {
                any = _mm256_or_si256(any, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8)));
            }
            u64::from(_mm256_movemask_epi8(any) as u32)
        }
    }

    /// # Safety
    /// `block` must hold at least 64 bytes, and the CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn masks_avx2(block: &[u8]) -> Masks {
        assert!(block.len() >= BLOCK);
        // SAFETY: two unaligned 32-byte loads within the 64 bytes checked above; the caller
        // guarantees AVX2.
        unsafe {
            let lo = _mm256_loadu_si256(block.as_ptr().cast());
            let hi = _mm256_loadu_si256(block.as_ptr().add(32).cast());
            let fold = _mm256_set1_epi8(0xDFu8 as i8);
            let (flo, fhi) = (_mm256_and_si256(lo, fold), _mm256_and_si256(hi, fold));
            Masks {
                quote: eq32(lo, b'"') | eq32(hi, b'"') << 32,
                backslash: eq32(lo, b'\\') | eq32(hi, b'\\') << 32,
                open: eq32(flo, b'[') | eq32(fhi, b'[') << 32,
                close: eq32(flo, b']') | eq32(fhi, b']') << 32,
                separator: any32(lo, b",:") | any32(hi, b",:") << 32,
                blank: any32(lo, b" \t\n\r") | any32(hi, b" \t\n\r") << 32,
            }
        }
    }

    /// Bit `i` set where byte `i` of `v` is `c`.
    #[target_feature(enable = "sse2")]
    #[inline]
    unsafe fn eq16(v: __m128i, c: u8) -> u64 {
        // SAFETY: SSE2 is baseline on x86_64 (the block is for compilers before 1.87).
        #[allow(unused_unsafe)]
        unsafe {
            u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) as u16)
        }
    }

    /// Bit `i` set where byte `i` of `v` is one of `bytes` (see `any32`).
    #[target_feature(enable = "sse2")]
    #[inline]
    unsafe fn any16(v: __m128i, bytes: &[u8]) -> u64 {
        // SAFETY: SSE2 is baseline on x86_64 (see `eq16`).
        #[allow(unused_unsafe)]
        unsafe {
            let mut any = _mm_setzero_si128();
            for &c in bytes {
                any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
            }
            u64::from(_mm_movemask_epi8(any) as u16)
        }
    }

    /// # Safety
    /// `block` must hold at least 64 bytes.
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn masks_sse2(block: &[u8]) -> Masks {
        assert!(block.len() >= BLOCK);
        let mut masks = Masks {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
            separator: 0,
            blank: 0,
        };
        for k in 0..4 {
            // SAFETY: an unaligned 16-byte load within the 64 bytes checked above; SSE2 is
            // baseline on x86_64.
            unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
                let folded = _mm_and_si128(v, _mm_set1_epi8(0xDFu8 as i8));
                let shift = 16 * k;
                masks.quote |= eq16(v, b'"') << shift;
                masks.backslash |= eq16(v, b'\\') << shift;
                masks.open |= eq16(folded, b'[') << shift;
                masks.close |= eq16(folded, b']') << shift;
                masks.separator |= any16(v, b",:") << shift;
                masks.blank |= any16(v, b" \t\n\r") << shift;
            }
        }
        masks
    }
}

/// The contract, one byte at a time: the definition the block skipper is tested against, and its
/// fallback for blocks with a backslash outside strings.
pub mod reference {
    use super::{Fed, Skipper, MAX_DEPTH};

    /// [`Skipper::feed`], byte by byte.
    pub fn feed(state: &mut Skipper, bytes: &[u8]) -> Fed {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if !state.started {
                match b {
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b'"' => {
                        state.started = true;
                        state.in_string = true;
                    }
                    b'{' | b'[' => {
                        state.started = true;
                        state.open(b);
                    }
                    b't' | b'f' | b'n' | b'-' | b'0'..=b'9' => {
                        state.started = true;
                        state.scalar = true;
                    }
                    _ => return Fed::Unexpected(i),
                }
                i += 1;
                continue;
            }
            if state.scalar {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    return Fed::Done(i);
                }
                i += 1;
                continue;
            }
            return match feed_body(state, &bytes[i..]) {
                Fed::Done(n) => Fed::Done(i + n),
                Fed::More => Fed::More,
                Fed::Unexpected(n) => Fed::Unexpected(i + n),
                Fed::TooDeep(n) => Fed::TooDeep(i + n),
            };
        }
        Fed::More
    }

    /// The body of a started string or container, byte by byte.
    pub(super) fn feed_body(state: &mut Skipper, bytes: &[u8]) -> Fed {
        for (i, &b) in bytes.iter().enumerate() {
            if state.in_string {
                if state.escape {
                    state.escape = false;
                } else if b == b'\\' {
                    state.escape = true;
                } else if b == b'"' {
                    state.in_string = false;
                    if state.depth == 0 {
                        return Fed::Done(i + 1);
                    }
                    state.after_value = true;
                }
                continue;
            }
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'"' if state.after_value => return Fed::Unexpected(i),
                b'"' => state.in_string = true,
                b'{' | b'[' if state.depth == MAX_DEPTH => return Fed::TooDeep(i),
                b'{' | b'[' => state.open(b),
                b'}' | b']' => {
                    if !state.close(b) {
                        return Fed::Unexpected(i);
                    }
                    if state.depth == 0 {
                        return Fed::Done(i + 1);
                    }
                }
                b',' | b':' => state.after_value = false,
                _ => state.after_value = true,
            }
        }
        Fed::More
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(chunks: &[&[u8]]) -> Option<usize> {
        let mut end = Skipper::new();
        let mut total = 0;
        for chunk in chunks {
            match end.feed(chunk) {
                Fed::Done(n) => return Some(total + n),
                Fed::More => total += chunk.len(),
                Fed::Unexpected(_) | Fed::TooDeep(_) => return None,
            }
        }
        None
    }

    /// Rule 3's two checks, on every backend and the reference: a quote where no string can
    /// start, and a bracket of the wrong kind, are errors at that byte, whitespace or block
    /// edges between; the place a string can start after whitespace is still one.
    #[test]
    fn misplaced_quotes_and_mismatched_brackets_are_errors() {
        let cases: &[(&str, Fed)] = &[
            (r#"{"a":t"}"#, Fed::Unexpected(6)),
            (r#"{"a":1 "}"#, Fed::Unexpected(7)),
            (r#"["a""b"]"#, Fed::Unexpected(4)),
            (r#"["a" , "b"]"#, Fed::Done(11)),
            ("[ \n\t\r \"a\"]", Fed::Done(10)),
            (r#"[}"#, Fed::Unexpected(1)),
            (r#"{]"#, Fed::Unexpected(1)),
            (r#"[{]}"#, Fed::Unexpected(2)),
            (r#"[\"]"#, Fed::Unexpected(2)),
            (r#"{"a":[{"b":[]}]}"#, Fed::Done(16)),
        ];
        for pad in [0, 40, 55, 60, 63, 64, 70, 127] {
            for &(case, expected) in cases {
                // Padding inside the first level moves the case across block edges.
                let text = format!("[{}{}]", " ".repeat(pad), case);
                let shift = |fed: Fed| match fed {
                    Fed::Done(n) => Fed::Done(n + pad + 2),
                    Fed::Unexpected(n) => Fed::Unexpected(n + pad + 1),
                    other => other,
                };
                for backend in [Backend::Detected, Backend::Sse2, Backend::Portable] {
                    let got = Skipper::new().feed_on(backend, text.as_bytes());
                    assert_eq!(got, shift(expected), "{backend:?} {text}");
                }
                let got = reference::feed(&mut Skipper::new(), text.as_bytes());
                assert_eq!(got, shift(expected), "reference {text}");
            }
        }
    }

    #[test]
    fn value_ends_across_chunks() {
        assert_eq!(
            ends(&[br#"{"a": "}\"]", "b": [1, {"c": null}]}, "#]),
            Some(36)
        );
        assert_eq!(
            ends(&[br#"{"a": "x\"#, br#""}"#, b"}"]),
            None,
            "the quote is escaped"
        );
        assert_eq!(ends(&[br#"{"a": "x\"#, br#"""}"#]), Some(12));
        assert_eq!(ends(&[b"  123,"]), Some(5));
        assert_eq!(ends(&[br#""a\\""#, b"x"]), Some(5));
        assert_eq!(ends(&[b"{\"open"]), None);
        assert_eq!(ends(&[b"?"]), None);
    }

    #[test]
    fn portable_masks_are_exact() {
        let mut block = [0u8; 64];
        for (i, b) in block.iter_mut().enumerate() {
            *b = [
                b'"',
                b'\\',
                b'[',
                b'{',
                b']',
                b'}',
                b'a',
                0xFF,
                b'"' ^ 0x80,
                b'[' ^ 0x20,
            ][i % 10];
        }
        let masks = masks_portable(&block);
        let expect = |f: &dyn Fn(u8) -> bool| {
            block
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &b)| m | (u64::from(f(b)) << i))
        };
        assert_eq!(masks.quote, expect(&|b| b == b'"'));
        assert_eq!(masks.backslash, expect(&|b| b == b'\\'));
        assert_eq!(masks.open, expect(&|b| b == b'[' || b == b'{'));
        assert_eq!(masks.close, expect(&|b| b == b']' || b == b'}'));
    }

    #[test]
    fn long_values_and_every_backend_agree() {
        let mut text = String::from("{\"k\":[");
        for i in 0..200 {
            text.push_str(&format!(
                "{{\"s\":\"a\\\\\\\"{}\\\\\",\"n\":{i},\"x\":[[]]}},",
                "]".repeat(i % 70)
            ));
        }
        text.push_str("0]} tail");
        let bytes = text.as_bytes();
        let expected = bytes.len() - 5;
        let mut reference = Skipper::new();
        assert_eq!(reference::feed(&mut reference, bytes), Fed::Done(expected));
        assert_eq!(Skipper::new().feed(bytes), Fed::Done(expected));
        let mut portable = Skipper {
            started: true,
            depth: 1,
            ..Skipper::default()
        };
        // (Started at depth 1 with the kind `{`: the text opens with one.)
        assert_eq!(portable.body_portable(&bytes[1..]), Fed::Done(expected - 1));
    }
}
