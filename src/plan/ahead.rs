//! A large plan read on two cores. The walk ([`super::scan::document`]) reads the document in
//! order on its own thread; a helper thread reads ahead of it what the walk will need later, from
//! where each part probably starts: `prior_state` and `configuration` first, then
//! `resource_changes` in runs of entries, from the last run backwards. The walk takes the runs
//! from the first forwards, reading every run the helper has not taken itself, so the two meet
//! wherever the work is even, whatever the sections' sizes.
//!
//! Every read ahead is used only if the walk arrives exactly where it started: a run starts at
//! an entry of `resource_changes` and ends at `]` or exactly at a later run's start, so the walk
//! chains runs that begin where the previous one ended and reads anything else itself. A guess
//! that was not an entry's start (the pattern inside a value) is a run nobody chains: the result,
//! and the first error, are the one-thread walk's.

use super::error::InputError;
use super::model::{Configuration, StateValues};
use super::scan::{self, Changes, RunEnd, SliceInput};
use memchr::memmem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A run of `resource_changes` entries is about this long (a few milliseconds of reading): the
/// walk and the helper meet within one run of the even split.
const RUN_SIZE: usize = 1 << 20;

/// At most this many runs: each costs a search for its start and a lock.
const MAX_RUNS: usize = 4096;

/// `configuration` is read ahead only up to this much text (a plan of 30,000 functions holds
/// about 7 MB): serde builds it several times its size, and the key the helper found may be a
/// decoy inside a value that the walk only skips, so a hostile plan gets at most this much read
/// for nothing.
const CONFIGURATION_AHEAD: usize = 8 << 20;

/// A read that one of the two threads took on (from where): whoever takes it finishes it.
enum Slot<T> {
    Open,
    Taken(usize),
    Done(T),
}

/// A read ahead: where it started, what it read, where it ended.
pub(super) struct Read<T> {
    pub start: usize,
    pub read: Result<T, InputError>,
    pub end: usize,
}

/// A run of `resource_changes` entries: what it read, where it ended and how.
struct Run<'a> {
    read: Result<Changes<'a>, InputError>,
    end: usize,
    how: RunEnd,
}

struct State<'a> {
    /// The helper has looked for the parts (whether or not it found them).
    mapped: bool,
    /// Where `resource_changes`' value (its `[`) probably is.
    changes_at: Option<usize>,
    /// The runs' starts, ascending, and their reads.
    starts: Arc<[usize]>,
    runs: Vec<Slot<Run<'a>>>,
    prior: Slot<Read<Option<StateValues<'a>>>>,
    configuration: Slot<Read<Option<Configuration<'a>>>>,
    /// The walk needs no more from the helper (it finished or failed).
    walk_done: bool,
    /// The helper has stopped (done, or unwound from a panic): nothing it took will come.
    helper_gone: bool,
}

/// What the walk and the helper share.
pub(super) struct Ahead<'a> {
    text: &'a str,
    line_offset: usize,
    /// Every entry's summary is read too (see [`super::model::OtherChange`]).
    summaries: bool,
    state: Mutex<State<'a>>,
    changed: Condvar,
}

impl<'a> Ahead<'a> {
    /// Starts the helper on `scope`; the walk reads through the returned handle.
    pub(super) fn start<'s>(
        scope: &'s std::thread::Scope<'s, '_>,
        text: &'a str,
        line_offset: usize,
        summaries: bool,
    ) -> Arc<Ahead<'a>>
    where
        'a: 's,
    {
        let ahead = Arc::new(Ahead {
            text,
            line_offset,
            summaries,
            state: Mutex::new(State {
                mapped: false,
                changes_at: None,
                starts: Arc::from([]),
                runs: Vec::new(),
                prior: Slot::Open,
                configuration: Slot::Open,
                walk_done: false,
                helper_gone: false,
            }),
            changed: Condvar::new(),
        });
        let helper = Arc::clone(&ahead);
        scope.spawn(move || {
            // Set even when the helper unwinds, so that the walk never waits for it in vain.
            struct Gone<'g, 'a>(&'g Ahead<'a>);
            impl Drop for Gone<'_, '_> {
                fn drop(&mut self) {
                    self.0.lock().helper_gone = true;
                    self.0.changed.notify_all();
                }
            }
            let _gone = Gone(&helper);
            helper.help();
        });
        ahead
    }

    fn lock(&self) -> MutexGuard<'_, State<'a>> {
        // A panic while the lock was held is re-raised when the scope joins: go on meanwhile.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State<'a>>) -> MutexGuard<'g, State<'a>> {
        self.changed
            .wait(guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The helper's work: find the parts, read `prior_state` (and `configuration` after it),
    /// then runs of `resource_changes` from the last backwards until it meets the walk.
    fn help(&self) {
        let text = self.text;
        let changes_at = SliceInput::guess(text, "resource_changes", false);
        let prior_at = SliceInput::guess(text, "prior_state", true)
            .filter(|&prior| changes_at.is_none_or(|changes| prior > changes));
        let starts: Arc<[usize]> = changes_at
            .map(|at| run_starts(text, at, prior_at.unwrap_or(text.len())))
            .unwrap_or_default()
            .into();
        {
            let mut state = self.lock();
            state.mapped = true;
            state.changes_at = changes_at;
            state.runs = starts.iter().map(|_| Slot::Open).collect();
            state.starts = Arc::clone(&starts);
        }
        self.changed.notify_all();
        if let Some(start) = prior_at {
            if self.take(prior_slot, start) {
                let mut input = SliceInput::new(text, self.line_offset);
                input.seek(start);
                let read = scan::prior_state(&mut input);
                let end = input.position();
                let next = read
                    .is_ok()
                    .then(|| scan::configuration_after(&mut input))
                    .flatten();
                self.put(prior_slot, Read { start, read, end });
                if let Some(start) = next {
                    if self.take(configuration_slot, start) {
                        input.seek(start);
                        match scan::configuration_within(&mut input, CONFIGURATION_AHEAD) {
                            Some(read) => {
                                let end = input.position();
                                self.put(configuration_slot, Read { start, read, end });
                            }
                            // Too long to read on a guess (or broken): the walk's to read.
                            None => self.reopen(configuration_slot),
                        }
                    }
                }
            }
        }

        for run in (0..starts.len()).rev() {
            {
                let mut state = self.lock();
                if state.walk_done || !matches!(state.runs[run], Slot::Open) {
                    // The walk has come this far (or needs no more): the rest is its own.
                    return;
                }
                state.runs[run] = Slot::Taken(starts[run]);
            }
            // Only to the first entry past the next run's start: a run that started inside an
            // entry (a guess nobody chains) costs no more than its share.
            let read = self.read_run(
                starts[run],
                &starts[run + 1..],
                starts.get(run + 1).copied(),
            );
            self.lock().runs[run] = Slot::Done(read);
            self.changed.notify_all();
        }
    }

    /// Reads entries from `start` (see [`scan::change_run`]).
    fn read_run(&self, start: usize, stops: &[usize], past: Option<usize>) -> Run<'a> {
        let mut input = SliceInput::new(self.text, self.line_offset);
        input.seek(start);
        let (read, how) = scan::change_run(&mut input, stops, past, self.summaries);
        Run {
            read,
            end: input.position(),
            how,
        }
    }

    /// Claims an open slot for a read from `start`; false when the other thread has it (or had
    /// it), or when the walk is over: a read ahead nobody will use is not begun.
    fn take<T>(&self, slot: SlotOf<'a, T>, start: usize) -> bool {
        let mut state = self.lock();
        if state.walk_done {
            return false;
        }
        let slot = slot(&mut state);
        if matches!(slot, Slot::Open) {
            *slot = Slot::Taken(start);
            true
        } else {
            false
        }
    }

    /// Gives a taken slot back unread.
    fn reopen<T>(&self, slot: SlotOf<'a, T>) {
        *slot(&mut self.lock()) = Slot::Open;
        self.changed.notify_all();
    }

    fn put<T>(&self, slot: SlotOf<'a, T>, value: T) {
        *slot(&mut self.lock()) = Slot::Done(value);
        self.changed.notify_all();
    }

    /// The read of a slot the walk is at (`at`): the helper's, when it started exactly there (the
    /// walk waits while the helper is at it); `None` when the walk must read it (the slot is then
    /// closed to the helper).
    fn claim<T>(&self, at: usize, slot: SlotOf<'a, Read<T>>) -> Option<Read<T>> {
        let mut state = self.lock();
        // Waits only for a read from exactly here: one from elsewhere (a guess that was not the
        // key) is not this part, and the walk reads it itself meanwhile.
        while matches!(slot(&mut state), Slot::Taken(start) if *start == at) && !state.helper_gone {
            state = self.wait(state);
        }
        match slot(&mut state) {
            Slot::Taken(_) => None,
            other => match std::mem::replace(other, Slot::Taken(at)) {
                Slot::Done(read) if read.start == at => Some(read),
                _ => None,
            },
        }
    }

    /// `prior_state` read ahead from exactly `at`.
    pub(super) fn prior_state(&self, at: usize) -> Option<Read<Option<StateValues<'a>>>> {
        self.claim(at, prior_slot)
    }

    /// `configuration` read ahead from exactly `at`.
    pub(super) fn configuration(&self, at: usize) -> Option<Read<Option<Configuration<'a>>>> {
        self.claim(at, configuration_slot)
    }

    /// `resource_changes`, whose value (its `[`) is at `at`, chained from runs: the walk reads
    /// each run the helper has not taken and takes the helper's reads of the others. The whole
    /// read and where it ended; `None` when the guess was not this array (the walk then reads
    /// it whole).
    pub(super) fn changes(&self, at: usize) -> Option<(Result<Changes<'a>, InputError>, usize)> {
        let mut state = self.lock();
        while !state.mapped && !state.helper_gone {
            state = self.wait(state);
        }
        if state.changes_at != Some(at) || state.starts.is_empty() {
            // Not the array the helper mapped: it takes no run.
            state.walk_done = true;
            return None;
        }
        let starts = Arc::clone(&state.starts);
        let mut total: Changes<'a> = Default::default();
        let mut run = 0;
        loop {
            let read = loop {
                match &state.runs[run] {
                    Slot::Taken(_) if !state.helper_gone => state = self.wait(state),
                    Slot::Done(_) => {
                        let Slot::Done(read) =
                            std::mem::replace(&mut state.runs[run], Slot::Taken(starts[run]))
                        else {
                            unreachable!("matched Done");
                        };
                        break read;
                    }
                    // Open, or taken by a helper that is gone: read here.
                    _ => {
                        state.runs[run] = Slot::Taken(starts[run]);
                        drop(state);
                        let read = self.read_run(starts[run], &starts[run + 1..], None);
                        state = self.lock();
                        break read;
                    }
                }
            };
            let mut read = read;
            if read.how == RunEnd::Past {
                // The helper stopped at the first entry past the next start (a guess inside an
                // entry): the walk goes on from there to a start or the end.
                drop(state);
                let more = self.read_run(read.end, &starts[run + 1..], None);
                state = self.lock();
                read = Run {
                    read: read.read.and_then(|mut changes| {
                        more.read.map(|more| {
                            append(&mut changes, more);
                            changes
                        })
                    }),
                    ..more
                };
            }
            let changes = match read.read {
                Ok(changes) => changes,
                Err(error) => {
                    state.walk_done = true;
                    return Some((Err(error), read.end));
                }
            };
            append(&mut total, changes);
            if read.how == RunEnd::Array {
                state.walk_done = true;
                return Some((Ok(total), read.end));
            }
            // A run that ended at a stop ended exactly at a later run's start.
            let next = starts
                .binary_search(&read.end)
                .expect("a run ends at `]` or at a later run's start");
            for passed in run + 1..next {
                // Guesses inside the entries just read: nobody needs them.
                state.runs[passed] = Slot::Taken(starts[passed]);
            }
            run = next;
        }
    }

    /// The walk is over: the helper takes nothing more.
    pub(super) fn finish(&self) {
        self.lock().walk_done = true;
        self.changed.notify_all();
    }
}

/// Which slot of the state a read goes to.
type SlotOf<'a, T> = for<'s> fn(&'s mut State<'a>) -> &'s mut Slot<T>;

fn prior_slot<'s, 'a>(state: &'s mut State<'a>) -> &'s mut Slot<Read<Option<StateValues<'a>>>> {
    &mut state.prior
}

fn configuration_slot<'s, 'a>(
    state: &'s mut State<'a>,
) -> &'s mut Slot<Read<Option<Configuration<'a>>>> {
    &mut state.configuration
}

fn append<'a>(total: &mut Changes<'a>, mut more: Changes<'a>) {
    if total.0 .0.is_empty() {
        total.0 .0 = std::mem::take(&mut more.0 .0);
    } else {
        total.0 .0.append(&mut more.0 .0);
    }
    total.1.append(&mut more.1);
    total.2.append(&mut more.2);
}

/// Where runs of entries probably start in the `resource_changes` array whose `[` is at `at`,
/// before `limit`: its first entry, then an entry start (`,{"address":"`, how Terraform writes
/// one) about every [`RUN_SIZE`] bytes. None for an empty array or one not written so.
fn run_starts(text: &str, at: usize, limit: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'[') {
        return Vec::new();
    }
    let mut first = at + 1;
    while bytes.get(first).is_some_and(|&b| scan::is_blank(b)) {
        first += 1;
    }
    if bytes.get(first) != Some(&b'{') {
        return Vec::new();
    }
    let limit = limit.min(bytes.len());
    let step = (limit.saturating_sub(first) / MAX_RUNS).max(RUN_SIZE);
    let finder = memmem::Finder::new(b",{\"address\":\"");
    let mut starts = vec![first];
    let mut from = first + step;
    while from < limit {
        let Some(found) = finder.find(&bytes[from..limit]) else {
            break;
        };
        let start = from + found + 1;
        starts.push(start);
        from = start + step;
    }
    starts
}
