/**
 * The part of dcmjs 0.52 (no bundled types) the SR export uses: its SR content-item classes
 * (`sr.coding`, `sr.valueTypes`, `sr.templates`, `sr.documents`) and the Part-10 writer/reader.
 */
declare module 'dcmjs' {
  export namespace sr {
    namespace coding {
      class CodedConcept {
        constructor(options: {
          value: string;
          meaning: string;
          schemeDesignator: string;
          schemeVersion?: string;
        });
        CodeValue: string;
        CodeMeaning: string;
        CodingSchemeDesignator: string;
      }
    }
    namespace valueTypes {
      const RelationshipTypes: Record<
        | 'CONTAINS'
        | 'HAS_ACQ_CONTENT'
        | 'HAS_CONCEPT_MOD'
        | 'HAS_OBS_CONTEXT'
        | 'HAS_PROPERTIES'
        | 'INFERRED_FROM'
        | 'SELECTED_FROM',
        string
      >;
      interface ItemOptions {
        name: coding.CodedConcept;
        relationshipType?: string;
      }
      class ContentItem {
        ValueType: string;
        RelationshipType?: string;
        ConceptNameCodeSequence: coding.CodedConcept[];
        ContentSequence?: ContentItem[];
        [key: string]: unknown;
      }
      class ContentSequence extends Array<ContentItem> {}
      class CodeContentItem extends ContentItem {
        constructor(options: ItemOptions & { value: coding.CodedConcept });
      }
      class TextContentItem extends ContentItem {
        constructor(options: ItemOptions & { value: string });
      }
      class UIDRefContentItem extends ContentItem {
        constructor(options: ItemOptions & { value: string });
      }
      class NumContentItem extends ContentItem {
        constructor(options: ItemOptions & { value: number; unit: coding.CodedConcept });
      }
      class ContainerContentItem extends ContentItem {
        constructor(options: ItemOptions & { templateID?: string; isContentContinuous?: boolean });
      }
      class ImageContentItem extends ContentItem {
        constructor(
          options: ItemOptions & {
            referencedSOPClassUID: string;
            referencedSOPInstanceUID: string;
            referencedFrameNumbers?: number[];
          },
        );
        ReferencedSOPSequence: Array<Record<string, unknown>>;
      }
    }
    namespace templates {
      class Template extends Array<valueTypes.ContentItem> {}
      class TrackingIdentifier extends Template {
        constructor(options: { uid: string; identifier?: string });
      }
      class AlgorithmIdentification extends Template {
        constructor(options: { name: string; version: string; parameters?: string[] });
      }
      class LanguageOfContentItemAndDescendants extends Template {
        constructor(options: { language?: coding.CodedConcept });
      }
      class DeviceObserverIdentifyingAttributes extends Template {
        constructor(options: {
          uid: string;
          name?: string;
          manufacturerName?: string;
          modelName?: string;
          serialNumber?: string;
        });
      }
      class ObserverContext extends Template {
        constructor(options: {
          observerType: coding.CodedConcept;
          observerIdentifyingAttributes: DeviceObserverIdentifyingAttributes;
        });
      }
      class MeasurementReport extends Template {
        constructor(options: {
          languageOfContentItemAndDescendants: LanguageOfContentItemAndDescendants;
          observationContext: Template;
          procedureReported: coding.CodedConcept;
          imagingMeasurements?: valueTypes.ContentItem[];
        });
      }
    }
    namespace documents {
      class Comprehensive3DSR {
        constructor(options: {
          content: valueTypes.ContentItem;
          evidence: Array<Record<string, unknown>>;
          seriesInstanceUID: string;
          seriesNumber: number;
          seriesDescription: string;
          sopInstanceUID: string;
          instanceNumber: number;
          manufacturer: string;
          isComplete?: boolean;
          isVerified?: boolean;
          isFinal?: boolean;
        });
        [key: string]: unknown;
      }
    }
  }
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
