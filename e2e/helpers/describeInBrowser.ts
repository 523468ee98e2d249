import { missingPrerequisite } from './prerequisites';

const missing = missingPrerequisite();
if (missing) console.warn(`Browser end-to-end tests skipped: ${missing}.`);

/** `describe` when the browser tests can run here, otherwise `describe.skip` (with the warning above). */
export const describeInBrowser: jest.Describe = missing ? describe.skip : describe;
