import pino from 'pino';

/** JSON logs; the bearer token the proxy adds must never reach them. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'ohif-sam2-viewer' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'apiToken'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type Logger = pino.Logger;
