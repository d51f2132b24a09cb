// Type-checked (tsc --noEmit, never run): the package's TypeScript API as a
// user writes it. A wrong type in the generated .d.ts makes this fail.
import { Network, version } from 'chapterhouse';
import type { ChapterhouseError, ErrorCode } from 'chapterhouse';

const v: string = version();
const net: Network = Network.fromJson('{"format":"chapterhouse/1"}');
const n: number = net.len();
const empty: boolean = net.isEmpty();
const text: string = net.toJson();
net.free();

function codeOf(e: unknown): ErrorCode | undefined {
  if (e instanceof Error && e.name === 'ChapterhouseError') {
    return (e as ChapterhouseError).code;
  }
  return undefined;
}
const code: ErrorCode = 'not_found';

// @ts-expect-error fromJson takes the snapshot's text, not a number
Network.fromJson(42);
// @ts-expect-error not an error code
const bad: ErrorCode = 'nope';

export { v, n, empty, text, codeOf, code, bad };
