/** Root jest config: one project per workspace, so `npm test` runs every suite (the browser e2e last). */
module.exports = {
  projects: [
    '<rootDir>/sam2-service',
    '<rootDir>/extension',
    '<rootDir>/mode',
    '<rootDir>/viewer',
    '<rootDir>/docker',
    '<rootDir>/e2e',
  ],
  // Integration tests start real server processes and run real ONNX inference.
  testTimeout: 60000,
};
