import { z } from 'zod';
import { invalidField } from '../http/apiError';
import { pixelTypes } from '../image/pixels';
import { voiLutFunctions } from '../image/windowing';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const point = z.strictObject({
  x: finite,
  y: finite,
  label: z.union([z.literal(0), z.literal(1)]),
});

/** The JSON body of POST /api/segmentation/sam2 (the seed's contract). */
export const segmentRequestSchema = z
  .object({
    image_data: z.string().min(1).optional(),
    image_id: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be an image_id returned by this service')
      .optional(),
    image_type: z.enum(pixelTypes).optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    rescale: z
      .strictObject({
        slope: finite.refine((v) => v !== 0, 'must not be 0'),
        intercept: finite,
      })
      .optional(),
    window: z
      .strictObject({
        center: finite,
        width: finite.refine((v) => v > 0, 'must be > 0'),
        voi_lut_function: z.enum(voiLutFunctions).optional(),
      })
      .refine((w) => (w.voi_lut_function ?? 'LINEAR') !== 'LINEAR' || w.width >= 1, {
        message: 'must be >= 1 with voi_lut_function LINEAR (DICOM PS3.3 C.11.2.1.2.1)',
        path: ['width'],
      })
      .optional(),
    photometric: z.enum(['MONOCHROME1', 'MONOCHROME2']).optional(),
    /** The viewer shows the windowed values inverted; default: photometric is MONOCHROME1. */
    invert: z.boolean().optional(),
    patient_id: z.string().optional(),
    study_uid: z.string().optional(),
    series_uid: z.string().optional(),
    sop_uid: z.string().optional(),
    slice_index: z.number().int().min(0).optional(),
    prompts: z
      .strictObject({
        points: z.array(point).max(64).default([]),
        box: z.tuple([finite, finite, finite, finite]).optional(),
      })
      .optional(),
    multimask: z.boolean().default(false),
    max_masks: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export type SegmentRequest = z.infer<typeof segmentRequestSchema>;

/** Validates the body; a failure is a 400 naming the first unknown key, else the first bad field. */
export function parseSegmentRequest(body: unknown, maxImageSide: number): SegmentRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('body', 'must be a JSON object');
  }
  const parsed = segmentRequestSchema.safeParse(body);
  if (!parsed.success) {
    // A misspelt key also leaves its right name missing: name the misspelling, it is the cause.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    const field = issueField(issue);
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    throw invalidField(field, message, {
      issues: parsed.error.issues.map((i) => ({ field: issueField(i), message: i.message })),
    });
  }
  const request = parsed.data;
  if (request.image_data !== undefined && request.image_id !== undefined) {
    throw invalidField('image_id', 'give either image_data or image_id, not both');
  }
  if (request.image_data === undefined && request.image_id === undefined) {
    throw invalidField('image_data', 'is required (or image_id of an image this service has encoded)');
  }
  if (request.image_data !== undefined) {
    for (const field of ['image_type', 'width', 'height'] as const) {
      if (request[field] === undefined) throw invalidField(field, 'is required with image_data');
    }
    if (request.width! > maxImageSide || request.height! > maxImageSide) {
      const field = request.width! > maxImageSide ? 'width' : 'height';
      throw invalidField(field, `must be at most ${maxImageSide} pixels`);
    }
  }
  return request;
}

/** Prompt fields a speculative encode must not carry: it encodes, it segments nothing. */
const promptFields = ['prompts', 'multimask', 'max_masks'] as const;

/**
 * The body of POST /api/segmentation/sam2/encode: the image fields of a segment request (same
 * validation and limits, so the image_id is the one a later click gets); prompt fields are a 400.
 */
export function parseEncodeRequest(body: unknown, maxImageSide: number): SegmentRequest {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const field = promptFields.find((f) => f in body);
    if (field) throw invalidField(field, 'is not accepted by /encode (it only encodes the image)');
  }
  return parseSegmentRequest(body, maxImageSide);
}

/** The field an issue is about; an unknown key (top level or nested, e.g. `prompts.boxes`) is named itself. */
function issueField(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return path.length > 0 ? formatPath(path) : 'body';
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  );
}

/** Prompts must lie on the slice: 0 ≤ x ≤ width, 0 ≤ y ≤ height; a box must have x0 < x1, y0 < y1. */
export function validatePromptsInImage(request: SegmentRequest, width: number, height: number): void {
  const prompts = request.prompts;
  if (!prompts) return;
  prompts.points.forEach((p, i) => {
    if (p.x < 0 || p.x > width || p.y < 0 || p.y > height) {
      throw invalidField(`prompts.points[${i}]`, `(${p.x}, ${p.y}) is outside the ${width}×${height} image`);
    }
  });
  if (prompts.box) {
    const [x0, y0, x1, y1] = prompts.box;
    if ([x0, x1].some((x) => x < 0 || x > width) || [y0, y1].some((y) => y < 0 || y > height)) {
      throw invalidField(
        'prompts.box',
        `[${prompts.box.join(', ')}] is outside the ${width}×${height} image`,
      );
    }
    if (x0 >= x1 || y0 >= y1)
      throw invalidField('prompts.box', 'must be [x0, y0, x1, y1] with x0 < x1 and y0 < y1');
  }
}
