// host-update's own output. A reader that goes away (`host-update up | head -1`, a closed
// terminal) must not stop a transaction half-way: a write to a broken pipe only marks the
// stream as gone, and the transaction runs on to its end.

interface Sink {
  write(text: string): void;
}

function safeSink(stream: NodeJS.WriteStream): Sink {
  let broken = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'EIO') broken = true;
    else throw error;
  });
  return {
    write(text: string) {
      if (broken) return;
      try {
        stream.write(text);
      } catch {
        broken = true;
      }
    },
  };
}

/** results: the outcome line or JSON */
export const out: Sink = safeSink(process.stdout);
/** transactional-update's progress and messages for people */
export const err: Sink = safeSink(process.stderr);
