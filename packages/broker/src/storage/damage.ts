// Offsets lost to damage. Segments are contiguous by construction (a roll starts the next one at
// the end of the last, retention removes only the oldest), so a gap between two segments can only
// come from recovery cutting a closed segment short (a torn or corrupt batch in the middle of the
// log): everything from the cut to the next segment's base is gone.

/** Offsets [from, to) that the log no longer holds. */
export interface LostRange {
  from: number;
  to: number;
}

/** What damage needs of a segment. */
export interface SegmentSpan {
  readonly baseOffset: number;
  readonly committedNextOffset: number;
}

/** The gaps between consecutive segments, oldest first (none for a healthy log). */
export function lostRanges(segments: readonly SegmentSpan[]): LostRange[] {
  const out: LostRange[] = [];
  for (let i = 1; i < segments.length; i++) {
    const from = segments[i - 1].committedNextOffset;
    const to = segments[i].baseOffset;
    if (to > from) out.push({ from, to });
  }
  return out;
}

/** One line for a status: "offsets 200-399 lost (damaged segment)", '' when none. */
export function describeLost(ranges: readonly LostRange[]): string {
  if (ranges.length === 0) return '';
  const spans = ranges.map((r) => (r.to - r.from === 1 ? `${r.from}` : `${r.from}-${r.to - 1}`));
  return `offsets ${spans.join(', ')} lost (damaged segment${ranges.length > 1 ? 's' : ''})`;
}
