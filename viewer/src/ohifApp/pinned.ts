/**
 * The stock prebuilt OHIF viewer we serve. Pinned by version AND by the registry's sha512, so a
 * re-published or tampered tarball is refused even if the registry itself serves it.
 */
export const OHIF_APP_PACKAGE = '@ohif/app';
export const OHIF_APP_VERSION = '3.13.2';
export const OHIF_APP_INTEGRITY =
  'sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==';
