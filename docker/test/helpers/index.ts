/**
 * Reusable deployment test helpers: native Orthanc and nginx exactly as the images configure them, plus
 * the compose and Dockerfile readers. The full-stack tests import from here.
 */
export * from './compose';
export * from './dockerfile';
export * from './nginx';
export * from './orthanc';
export * from './paths';
export * from './processes';
export * from './tools';
export * from './service';
