// A stderr-like stream that keeps what is written, as a terminal (tty) or a pipe would look.
export function fakeStream(tty = false, columns?: number) {
  let text = '';
  const stream = { isTTY: tty, columns, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}
