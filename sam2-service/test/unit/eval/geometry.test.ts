/** Grid correspondence from affines: permutations, flips, offsets, and refusals. */
import { gridMapping, invertAffine, mapIndex, multiply } from '../../../scripts/eval/geometry';
import { toAxialDisplay } from '../../../scripts/eval/io/grid';

const identity = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

describe('grid geometry', () => {
  it('inverts an affine', () => {
    const m = [
      [0, -2, 0, 10],
      [3, 0, 0, -4],
      [0, 0, 1.5, 7],
      [0, 0, 0, 1],
    ];
    const product = multiply(invertAffine(m), m);
    product.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(identity[r][c], 12)));
  });

  it('maps a grid whose rows run backwards and whose slices are offset', () => {
    // Image: 1 mm voxels at the origin. Labels: same voxels, row axis reversed (10 rows), slices start 2 lower.
    const image = identity;
    const labels = [
      [1, 0, 0, 0],
      [0, -1, 0, 9],
      [0, 0, 1, -2],
      [0, 0, 0, 1],
    ];
    const m = gridMapping(image, labels);
    // Image voxel (i, j, k) sits at (i, j, k) mm; in the label grid that is (i, 9 − j, k + 2).
    expect(mapIndex(m, [3, 0, 0])).toEqual([3, 9, 2]);
    expect(mapIndex(m, [3, 9, 5])).toEqual([3, 0, 7]);
  });

  it('maps swapped axes', () => {
    const labels = [
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    expect(mapIndex(gridMapping(identity, labels), [4, 7, 1])).toEqual([7, 4, 1]);
  });

  it('refuses other spacings and half-voxel shifts', () => {
    const coarser = identity.map((row, r) => row.map((v, c) => (r === c && r < 3 ? 2 : v)));
    expect(() => gridMapping(identity, coarser)).toThrow(/not the image grid/);
    const shifted = identity.map((row, r) => (r === 0 ? [1, 0, 0, 0.5] : row));
    expect(() => gridMapping(identity, shifted)).toThrow(/shifted by -0.500 voxel/);
  });

  it('axial display order of a RAS grid: columns to the left, rows posterior', () => {
    // A 2 × 3 × 1 RAS grid with +1 mm steps: in LPS, file i runs to the right and file j anteriorly.
    const grid = {
      dims: [2, 3, 1] as [number, number, number],
      values: Float32Array.from([0, 1, 2, 3, 4, 5]), // value = i + 2 j
      ijkToLps: [
        [-1, 0, 0, 0],
        [0, -1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
    };
    const axial = toAxialDisplay(grid);
    expect(axial.dims).toEqual([2, 3, 1]);
    // Display (col c, row r) = file (1 − c, 2 − r): value (1 − c) + 2 (2 − r).
    expect(Array.from(axial.values)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(axial.ijkToLps[0][0]).toBe(1);
    expect(axial.ijkToLps[1][1]).toBe(1);
  });
});
