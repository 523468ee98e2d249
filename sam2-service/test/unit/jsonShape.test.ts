import { z } from 'zod';
import { checkJsonShape, segmentBodyShape } from '../../src/http/jsonShape';
import { segmentRequestSchema } from '../../src/segmentation/segmentRequest';

const check = (text: string, maxDepth = 4, maxValues = 100) =>
  checkJsonShape(Buffer.from(text), { maxDepth, maxValues });

/** Deepest object/array nesting a JSON schema allows (the request object itself is depth 1). */
function schemaDepth(schema: any): number {
  if (!schema || typeof schema !== 'object') return 0;
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.prefixItems ?? []),
    ...(schema.items && typeof schema.items === 'object' ? [schema.items] : []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
  ];
  const own = schema.type === 'object' || schema.type === 'array' ? 1 : 0;
  return own + Math.max(0, ...children.map(schemaDepth));
}

describe('JSON shape check before parsing', () => {
  it('allows exactly the depth the segmentation request schema needs', () => {
    const depth = schemaDepth(z.toJSONSchema(segmentRequestSchema, { unrepresentable: 'any' }));
    expect(depth).toBe(4); // body → prompts → points → point
    expect(segmentBodyShape.maxDepth).toBe(depth);
    const deepest = JSON.stringify({ prompts: { points: [{ x: 1, y: 2, label: 1 }], box: [0, 0, 1, 1] } });
    expect(checkJsonShape(Buffer.from(deepest), segmentBodyShape)).toBeUndefined();
  });

  it('allows the largest valid request (64 points, a box, every field) with room to spare', () => {
    const points = Array.from({ length: 64 }, (_, i) => ({ x: i, y: i, label: 1 }));
    const body = JSON.stringify({
      image_data: 'AAAA',
      image_type: 'int16',
      width: 2,
      height: 1,
      rescale: { slope: 1, intercept: 0 },
      window: { center: 1, width: 2 },
      prompts: { points, box: [0, 0, 1, 1] },
    });
    const commasAndOpeners = [...body].filter((c) => c === ',' || c === '{' || c === '[').length;
    expect(commasAndOpeners).toBeLessThan(segmentBodyShape.maxValues / 4);
    expect(checkJsonShape(Buffer.from(body), segmentBodyShape)).toBeUndefined();
  });

  it('refuses one level too deep, at the offending bracket', () => {
    expect(check('{"a":{"b":[{"c":1}]}}')).toBeUndefined();
    expect(check('{"a":{"b":[{"c":[1]}]}}')).toEqual({ limit: 'depth', offset: 16 });
    expect(check('['.repeat(1000))).toEqual({ limit: 'depth', offset: 4 });
  });

  it('refuses too many values (commas and containers outside strings)', () => {
    expect(check(`[${'0,'.repeat(99)}0]`)).toBeUndefined(); // 1 array + 99 commas = 100
    expect(check(`[${'0,'.repeat(100)}0]`)).toEqual({ limit: 'values', offset: 200 });
    expect(check(`[${'[],'.repeat(60)}[]]`)?.limit).toBe('values');
  });

  it('ignores brackets and commas inside strings, with escaped quotes and backslashes', () => {
    expect(check(JSON.stringify({ s: '[[[[[[[[,,,,{{{{' }))).toBeUndefined();
    expect(check(JSON.stringify({ s: 'a"[[[[[[' }))).toBeUndefined();
    expect(check(JSON.stringify({ s: 'a\\', t: '[[[[[[' }))).toBeUndefined();
    expect(check(JSON.stringify({ s: 'a\\"[[[[[\\\\' }))).toBeUndefined();
    // …but a backslash that is itself escaped does not hide the closing quote.
    expect(check(`{"s":"a\\\\","t":[[[[[1]]]]]}`)?.limit).toBe('depth');
    expect(check(JSON.stringify({ s: 'é漢字🙂[[[[[[' }))).toBeUndefined();
  });

  it('scans a 32 MiB base64 string without counting anything in it', () => {
    const body = Buffer.from(`{"image_data":"${'A+/['.repeat(8 * 1024 * 1024)}"}`);
    expect(checkJsonShape(body, segmentBodyShape)).toBeUndefined();
  });
});
