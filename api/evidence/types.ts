export interface AiMarker {
  kind: string;
  where: string;
  value: string;
}

export interface PublicEvidence {
  camera?: { make?: string; model?: string; lens?: string };
  software?: string;
  created?: string;
  creator?: string;
  rights?: string;
  digitalSourceType?: string;
  c2pa?: {
    present: boolean;
    claimGenerator?: string;
    actions?: string[];
    digitalSourceType?: string;
    signatureValid?: boolean;
  };
  aiMarkers: AiMarker[];
  /** Present only when the metadata parsers gave no answer (api/uploads/ingest.ts). */
  metadata?: { readable: false; message: string };
}

/** Kept by the registry as evidence, never returned by a public endpoint (GPS, serial numbers, owner names). */
export interface PrivateEvidence {
  gps?: { latitude: number; longitude: number; altitude?: number };
  serialNumbers?: string[];
  ownerName?: string;
}

export interface Evidence {
  public: PublicEvidence;
  private: PrivateEvidence;
}

/** exifr output by segment (ifd0, exif, gps, xmp namespaces, iptc, icc …). */
export type MetadataGroups = Record<string, Record<string, unknown>>;
