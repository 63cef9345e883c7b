//! A unified diff of two texts, by lines (`diff -u` / `git diff` shape, three lines of context):
//! Myers' O(ND) algorithm over the lines between the common head and tail. A fix changes few
//! lines, so D is small; past `MAX_EDITS` changed lines the middle is shown as one replaced
//! block, which is still a correct diff.

use std::fmt::Write;

const CONTEXT: usize = 3;
const MAX_EDITS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// `--- a/PATH` / `+++ b/PATH` and the hunks; empty when the texts are equal.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let ops = line_ops(&old, &new);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    // (op, old index, new index) for every line of the edit script.
    let mut script = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        script.push((*op, i, j));
        match op {
            Op::Keep => {
                i += 1;
                j += 1;
            }
            Op::Delete => i += 1,
            Op::Insert => j += 1,
        }
    }
    let changed: Vec<usize> = (0..script.len())
        .filter(|&k| script[k].0 != Op::Keep)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let from = first.saturating_sub(CONTEXT);
        let to = (last + CONTEXT + 1).min(script.len());
        let hunk = &script[from..to];
        let old_count = hunk.iter().filter(|h| h.0 != Op::Insert).count();
        let new_count = hunk.iter().filter(|h| h.0 != Op::Delete).count();
        let (_, old_at, new_at) = hunk[0];
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            range(old_at, old_count),
            range(new_at, new_count)
        );
        for &(op, oi, nj) in hunk {
            let (mark, line) = match op {
                Op::Keep => (' ', old[oi]),
                Op::Delete => ('-', old[oi]),
                Op::Insert => ('+', new[nj]),
            };
            out.push(mark);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// `start,count` as unified diffs write it (1-based; an empty range names the line before).
fn range(start: usize, count: usize) -> String {
    match count {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{count}", start + 1),
    }
}

fn line_ops(old: &[&str], new: &[&str]) -> Vec<Op> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut ops = vec![Op::Keep; head];
    ops.extend(myers(a, b).unwrap_or_else(|| {
        let mut block = vec![Op::Delete; a.len()];
        block.extend(vec![Op::Insert; b.len()]);
        block
    }));
    ops.extend(vec![Op::Keep; tail]);
    ops
}

/// The shortest edit script from `a` to `b`, or `None` past `MAX_EDITS`.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = ((n + m) as usize).min(MAX_EDITS);
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let index = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[index - 1] < v[index + 1]) {
                v[index + 1]
            } else {
                v[index - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[index] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m, offset));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize, offset: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let index = |k: isize| (k + offset) as usize;
        let prev_k = if k == -d || (k != d && v[index(k - 1)] < v[index(k + 1)]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = if d == 0 { 0 } else { v[index(prev_k)] };
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Keep);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if x == prev_x { Op::Insert } else { Op::Delete });
        }
        x = prev_x;
        y = prev_y;
    }
    // d = 0 leaves a common run at the start.
    while x > 0 && y > 0 {
        ops.push(Op::Keep);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_line_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(
            unified("x.tf", before, after),
            "--- a/x.tf\n+++ b/x.tf\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n"
        );
    }

    #[test]
    fn insertion_and_far_apart_changes() {
        let before: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let after = before
            .replace("2\n", "2\nnew\n")
            .replace("19\n", "nineteen\n");
        let diff = unified("x.tf", &before, &after);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert!(
            diff.contains("@@ -1,5 +1,6 @@\n 1\n 2\n+new\n 3\n"),
            "{diff}"
        );
        assert!(diff.contains("-19\n+nineteen\n 20\n"), "{diff}");
    }

    #[test]
    fn no_newline_at_end() {
        let diff = unified("x.tf", "a\nb", "a\nc");
        assert!(
            diff.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{diff}"
        );
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("x.tf", "a\n", "a\n"), "");
    }
}
