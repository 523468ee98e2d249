/**
 * glibc malloc settings for the service process. Without them a burst of large requests (each JSON body
 * and its decoded pixels are MBs, parsed on several threads) leaves the process holding GBs in malloc
 * arenas after it is idle again: memory freed by JavaScript and ONNX Runtime stays mapped in per-thread
 * arenas. With them large blocks come from mmap and go back to the OS when freed, and fewer arenas exist.
 * Figures: docs/deployment.md#memory (`node sam2-service/dist/scripts/benchMemory.js`).
 *
 * glibc reads these only at process start (mallopt(3), "Environment variables"), so whoever starts the
 * service sets them: the image (docker/sam2-service.Dockerfile ENV), docker-compose.yml and `npm start`
 * (tools/start.mjs, which imports this object). docker/test/images.test.ts checks that all agree.
 */
export const allocatorEnv = {
  // Two arenas instead of 8 per core: the main thread and the workers share them.
  MALLOC_ARENA_MAX: '2',
  // Blocks of 128 KiB and more are mmap'ed and unmapped on free (a fixed threshold also stops glibc from
  // raising it after the first large free, which is what kept freed request buffers in the heap).
  MALLOC_MMAP_THRESHOLD_: '131072',
  // Free memory at the top of a heap above 128 KiB is returned to the OS.
  MALLOC_TRIM_THRESHOLD_: '131072',
} as const;
