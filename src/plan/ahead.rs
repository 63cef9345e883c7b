//! A large plan read on two cores. The walk ([`super::scan::document`]) reads the document in
//! order on its own thread; a helper thread reads `resource_changes` ahead of it, from where it
//! probably starts, in runs of entries from the last run backwards. The walk reads
//! `planned_values`, then takes the runs from the first forwards, reading every run the helper
//! has not taken itself, so the two meet wherever the work is even, whatever the sections'
//! sizes; then the walk reads `prior_state` and `configuration` itself. Those are not read
//! ahead: their key can be a decoy inside a value that the walk only skips, and a state or a
//! configuration built from a decoy costs many times its text (attack review, 2026-12-03).
//!
//! Every read ahead is used only if the walk arrives exactly where it started: a run starts at
//! an entry of `resource_changes` and ends at `]` or exactly at a later run's start, so the walk
//! chains runs that begin where the previous one ended and reads anything else itself. A guess
//! that was not an entry's start (the pattern inside a value) is a run nobody chains: the result,
//! and the first error, are the one-thread walk's.

use super::error::InputError;
use super::scan::{self, Changes, RunEnd, SliceInput};
use memchr::memmem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A run of `resource_changes` entries is about this long (a few milliseconds of reading): the
/// walk and the helper meet within one run of the even split.
const RUN_SIZE: usize = 1 << 20;

/// At most this many runs: each costs a search for its start and a lock.
const MAX_RUNS: usize = 4096;

/// A read that one of the two threads took on: whoever takes it finishes it.
enum Slot<T> {
    Open,
    Taken,
    Done(T),
}

/// A run of `resource_changes` entries: what it read and how it ended, and where.
struct Run<'a> {
    read: Result<(Changes<'a>, RunEnd), InputError>,
    end: usize,
}

struct State<'a> {
    /// The helper has looked for the parts (whether or not it found them).
    mapped: bool,
    /// Where `resource_changes`' value (its `[`) probably is.
    changes_at: Option<usize>,
    /// The runs' starts, ascending, and their reads.
    starts: Arc<[usize]>,
    runs: Vec<Slot<Run<'a>>>,
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

    /// The helper's work: find `resource_changes` and where its runs start, then read runs from
    /// the last backwards until it meets the walk.
    fn help(&self) {
        let text = self.text;
        // A walk that is over (a plan broken early) waits for no search.
        let walk_done = || self.lock().walk_done;
        let changes_at = SliceInput::guess(text, "resource_changes", false, &walk_done);
        // The runs end before the last `"prior_state"` (Terraform writes it next), or at the end.
        let limit = SliceInput::guess(text, "prior_state", true, &walk_done)
            .filter(|&prior| changes_at.is_some_and(|changes| prior > changes))
            .unwrap_or(text.len());
        let starts: Arc<[usize]> = changes_at
            .map(|at| run_starts(text, at, limit, &walk_done))
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
        for run in (0..starts.len()).rev() {
            {
                let mut state = self.lock();
                if state.walk_done || !matches!(state.runs[run], Slot::Open) {
                    // The walk has come this far (or needs no more): the rest is its own.
                    return;
                }
                state.runs[run] = Slot::Taken;
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
        let read = scan::change_run(&mut input, stops, past, self.summaries);
        Run {
            read,
            end: input.position(),
        }
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
                    Slot::Taken if !state.helper_gone => state = self.wait(state),
                    Slot::Done(_) => {
                        let Slot::Done(read) = std::mem::replace(&mut state.runs[run], Slot::Taken)
                        else {
                            unreachable!("matched Done");
                        };
                        break read;
                    }
                    // Open, or taken by a helper that is gone: read here.
                    _ => {
                        state.runs[run] = Slot::Taken;
                        drop(state);
                        let read = self.read_run(starts[run], &starts[run + 1..], None);
                        state = self.lock();
                        break read;
                    }
                }
            };
            let (mut changes, mut how) = match read.read {
                Ok(read) => read,
                Err(error) => {
                    state.walk_done = true;
                    return Some((Err(error), read.end));
                }
            };
            let mut end = read.end;
            if how == RunEnd::Past {
                // The helper stopped at the first entry past the next start (a guess inside an
                // entry): the walk goes on from there to a start or the end.
                drop(state);
                let more = self.read_run(end, &starts[run + 1..], None);
                state = self.lock();
                end = more.end;
                match more.read {
                    Ok((more, more_how)) => {
                        append(&mut changes, more);
                        how = more_how;
                    }
                    Err(error) => {
                        state.walk_done = true;
                        return Some((Err(error), end));
                    }
                }
            }
            append(&mut total, changes);
            if how == RunEnd::Array {
                state.walk_done = true;
                return Some((Ok(total), end));
            }
            // A run that ended at a stop ended exactly at a later run's start.
            let next = starts
                .binary_search(&end)
                .expect("a run ends at `]` or at a later run's start");
            for passed in run + 1..next {
                // Guesses inside the entries just read: nobody needs them.
                state.runs[passed] = Slot::Taken;
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
/// one) about every [`RUN_SIZE`] bytes. None for an empty array or one not written so, and none
/// once `stop` says so.
fn run_starts(text: &str, at: usize, limit: usize, stop: &dyn Fn() -> bool) -> Vec<usize> {
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
        if stop() {
            return Vec::new();
        }
        let Some(found) = finder.find(&bytes[from..limit]) else {
            break;
        };
        let start = from + found + 1;
        starts.push(start);
        from = start + step;
    }
    starts
}
