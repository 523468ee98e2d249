// The `npm start` console: the children's pino JSON lines, readable and coloured on a terminal
// (pino-pretty), unchanged otherwise or with LOG_FORMAT=json; plus one redrawn status line (the model
// download bar) that log lines never garble.
import { prettyFactory } from 'pino-pretty';

/** Readable output when stdout is a terminal and LOG_FORMAT is not `json`. */
export function wantsPretty(stream = process.stdout, env = process.env) {
  return stream.isTTY === true && (env.LOG_FORMAT ?? '').trim().toLowerCase() !== 'json';
}

/**
 * @param {{ write(chunk: string): unknown }} out
 * @param {boolean} pretty
 * @returns {{ log(line: string): void, status(text: string | undefined): void, pretty: boolean }}
 */
export function createConsole(out = process.stdout, pretty = wantsPretty()) {
  const format = pretty
    ? prettyFactory({
        colorize: true,
        singleLine: true,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname,service',
        messageFormat: '{if service}{service}: {end}{msg}',
      })
    : undefined;
  let statusText;
  const clear = () => statusText && out.write('\r\x1b[K');
  const redraw = () => statusText && out.write(statusText);
  return {
    pretty,
    log(line) {
      clear();
      let text = `${line}\n`;
      if (format && line.startsWith('{')) {
        try {
          JSON.parse(line);
          text = format(line);
        } catch {
          // not a JSON log line: as it is
        }
      }
      out.write(text);
      redraw();
    },
    /** Sets (or with undefined, removes) the status line; only used on a terminal. */
    status(text) {
      clear();
      statusText = text;
      redraw();
    },
  };
}
