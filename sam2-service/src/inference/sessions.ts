import { InferenceSession } from 'onnxruntime-node';

export interface LoadedSessions {
  encoder: InferenceSession;
  decoder: InferenceSession;
  device: 'cpu' | 'cuda';
  /** Generic, public. */
  deviceWarning?: string;
  /** ORT's message, for the log only. */
  deviceWarningDetail?: string;
}

/** Session options of every inference worker (the benchmark's raw runs use the same). */
export function sessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Idle ORT threads must not spin: they would steal the few cores from the other workers and from the
    // HTTP thread between requests. (Spinning only shortens back-to-back runs, which a server rarely has.)
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/**
 * Loads the encoder/decoder once per worker. CUDA is tried alone (so ORT cannot silently place the
 * graph on the CPU); if the provider or its libraries are missing, we fall back to the CPU and say so.
 */
export async function loadSessions(
  encoderPath: string,
  decoderPath: string,
  device: 'cpu' | 'cuda',
  threads: number,
): Promise<LoadedSessions> {
  const base = sessionOptions(threads);
  if (device === 'cuda') {
    try {
      const options = { ...base, executionProviders: ['cuda'] };
      const encoder = await InferenceSession.create(encoderPath, options);
      const decoder = await InferenceSession.create(decoderPath, options);
      return { encoder, decoder, device: 'cuda' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const cpu = await loadCpu(encoderPath, decoderPath, base);
      return {
        ...cpu,
        device: 'cpu',
        deviceWarning: 'CUDA execution provider unavailable, using CPU',
        deviceWarningDetail: reason.split('\n')[0],
      };
    }
  }
  return { ...(await loadCpu(encoderPath, decoderPath, base)), device: 'cpu' };
}

async function loadCpu(encoderPath: string, decoderPath: string, base: InferenceSession.SessionOptions) {
  const options = { ...base, executionProviders: ['cpu'] };
  return {
    encoder: await InferenceSession.create(encoderPath, options),
    decoder: await InferenceSession.create(decoderPath, options),
  };
}
