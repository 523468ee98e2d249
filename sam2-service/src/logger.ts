import pino from 'pino';

/**
 * JSON logs. Request bodies are never logged; the redact list is a second line of defence so that a
 * patient identifier, a DICOM UID or pixel data can never reach the log even if a field is logged by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'sam2-service' },
      redact: {
        paths: [
          'patient_id',
          'study_uid',
          'series_uid',
          'sop_uid',
          'image_data',
          '*.patient_id',
          '*.study_uid',
          '*.series_uid',
          '*.sop_uid',
          '*.image_data',
          'body',
          '*.body',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type Logger = pino.Logger;
