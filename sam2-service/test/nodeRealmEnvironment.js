// Jest runs each test file in its own realm, but onnxruntime-node's native addon creates output typed
// arrays in Node's main realm, which onnxruntime-common then rejects (`instanceof Float32Array` fails
// across realms). This environment gives tests the main realm's typed-array constructors, so ORT can
// run in-process in unit tests.
const { TestEnvironment } = require('jest-environment-node');

const typedArrays = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'BigInt64Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of typedArrays) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
