/** Connected components (4-connectivity) of a binary 2-D mask, with area, bounding box and centroid. */

export interface Component {
  /** Label in the label image (1-based). */
  label: number;
  /** Pixels in the component. */
  area: number;
  /** [x0, y0, x1, y1], inclusive pixel indices. */
  bbox: [number, number, number, number];
  /** Mean column and row. */
  cx: number;
  cy: number;
}

/**
 * Labels every 4-connected component of `mask` (non-zero = foreground, row-major width×height).
 * Returns the components and the label image (0 = background).
 */
export function connectedComponents(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): { components: Component[]; labels: Int32Array } {
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    let area = 0;
    let sx = 0;
    let sy = 0;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    labels[start] = label;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      const x = i % width;
      const y = (i - x) / width;
      area++;
      sx += x;
      sy += y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const visit = (j: number) => {
        if (mask[j] && !labels[j]) {
          labels[j] = label;
          stack.push(j);
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (y > 0) visit(i - width);
      if (y < height - 1) visit(i + width);
    }
    components.push({ label, area, bbox: [x0, y0, x1, y1], cx: sx / area, cy: sy / area });
  }
  return { components, labels };
}
