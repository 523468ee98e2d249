/** The part of dcmjs (no bundled types) the evaluation's DICOM readers and tests use. */
declare module 'dcmjs' {
  export namespace data {
    class DicomDict {
      constructor(meta: Record<string, unknown>);
      meta: Record<string, unknown>;
      dict: Record<string, unknown>;
      write(options?: Record<string, unknown>): ArrayBuffer;
    }
    const DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDict;
    };
    const DicomMetaDictionary: {
      naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      uid(): string;
    };
  }
}
