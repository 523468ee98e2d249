/** Root jest config: one project per workspace, so `npm test` runs every suite. */
module.exports = {
  projects: ['<rootDir>/sam2-service'],
};
