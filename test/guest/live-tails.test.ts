// What a stream that only came live keeps: all of it up to twice the guest's 1 MiB block
// cap, then its last 1 MiB; and what it says it kept is never more than the cap.
import { describe, expect, it } from 'vitest';
import { LiveTails } from '../../src/guest/live-tails.js';

const MiB = 1 << 20;

describe('LiveTails', () => {
  it('keeps everything a stream sent up to twice the cap, in order', () => {
    const live = new LiveTails();
    live.keep('stdout.1', Buffer.from('before '));
    live.keep('stderr', Buffer.from('warn\n'));
    live.keep('stdout.1', Buffer.from('the panic\n'));
    expect(live.names()).toEqual(['stdout.1', 'stderr']);
    expect(live.text('stdout.1')).toBe('before the panic\n');
    expect(live.keptBytes('stdout.1')).toBe(17);
  });

  it('drops all but the last 1 MiB once a stream passes 2 MiB', () => {
    const live = new LiveTails();
    const chunk = (c: string) => Buffer.alloc(MiB / 2, c);
    for (const c of 'abcd') live.keep('stdout', chunk(c));
    expect(live.text('stdout').length).toBe(2 * MiB);
    expect(live.keptBytes('stdout')).toBe(MiB);
    live.keep('stdout', Buffer.from('end'));
    const text = live.text('stdout');
    expect(text.length).toBe(MiB);
    expect(text.endsWith(`${'d'.repeat(10)}end`)).toBe(true);
    expect(text.startsWith('c')).toBe(true);
  });
});
