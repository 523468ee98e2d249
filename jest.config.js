/** Root jest config: one project per workspace, so `npm test` runs every suite. */
module.exports = {
  projects: ['<rootDir>/sam2-service'],
  // Integration tests start real server processes and run real ONNX inference.
  testTimeout: 60000,
};
