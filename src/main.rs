//! The `tracegate` binary: parses the command line, lets `app` run it, and exits 0 (the gate
//! passes), 1 (it fails) or 2 (usage or input error).

mod app;
mod cli;

use app::EXIT_ERROR;
use clap::Parser;
use cli::Cli;
use std::process::ExitCode;

#[cfg(feature = "heap-stats")]
#[global_allocator]
static HEAP: heap_stats::Counting = heap_stats::Counting;

#[cfg(not(feature = "heap-stats"))]
#[global_allocator]
static HEAP: out_of_memory::ExitCleanly = out_of_memory::ExitCleanly;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("tracegate: error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    };
    #[cfg(feature = "heap-stats")]
    eprintln!("tracegate: peak heap {} bytes", heap_stats::peak());
    code
}

/// An allocation that fails ends the run with exit 2 and one line, not an abort (Rust's default
/// on allocation failure): a gate that ran out of memory did not decide.
#[cfg(not(feature = "heap-stats"))]
mod out_of_memory {
    use std::alloc::{GlobalAlloc, Layout, System};

    pub struct ExitCleanly;

    const MESSAGE: &[u8] = b"tracegate: error: out of memory: the input needs more memory than this machine gives; judge a smaller plan or raise the limit\n";

    fn exit() -> ! {
        // Nothing here may allocate: write the static line and leave at once.
        #[cfg(unix)]
        // SAFETY: `write` reads MESSAGE (a valid static buffer of that length) and `_exit` ends
        // the process without running destructors or allocating.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(2)
        }
        #[cfg(not(unix))]
        std::process::exit(2)
    }

    // SAFETY: every call is forwarded unchanged to the system allocator, which upholds
    // GlobalAlloc's contract; a null result ends the process instead of returning.
    unsafe impl GlobalAlloc for ExitCleanly {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's layout contract passes through to System as is.
            let ptr = unsafe { System.alloc(layout) };
            if ptr.is_null() {
                exit();
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as for `alloc`.
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if ptr.is_null() {
                exit();
            }
            ptr
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from this allocator (that is, System) with `layout`.
            let grown = unsafe { System.realloc(ptr, layout, new_size) };
            if grown.is_null() {
                exit();
            }
            grown
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from this allocator (that is, System) with `layout`.
            unsafe { System.dealloc(ptr, layout) };
        }
    }
}

/// Peak heap, for `scripts/bench.sh`: a memory-mapped plan's pages are not heap, so RSS alone
/// would not tell.
#[cfg(feature = "heap-stats")]
mod heap_stats {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CURRENT: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    pub struct Counting;

    // SAFETY: every call is forwarded unchanged to the system allocator, which upholds
    // GlobalAlloc's contract; the counters are atomics and never affect the returned memory.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's layout contract passes through to System as is.
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from `alloc` above, i.e. from System, with this layout.
            unsafe { System.dealloc(ptr, layout) };
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }

    pub fn peak() -> usize {
        PEAK.load(Ordering::Relaxed)
    }
}
