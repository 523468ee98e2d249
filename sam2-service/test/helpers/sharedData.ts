import { hasSharedData, sharedDataDir } from '../../scripts/lib/ctSlices';

export * from '../../scripts/lib/ctSlices';

if (!hasSharedData) {
  console.warn(
    `Real CT data not found at ${sharedDataDir}: the tests that need it are skipped (set SHARED_DATA_DIR).`,
  );
}

/** `describe` when ../shared/data is present, otherwise `describe.skip` (with the warning above). */
export const describeWithSharedData: jest.Describe = hasSharedData ? describe : describe.skip;
