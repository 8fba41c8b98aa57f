// Where a file's bytes live in the bucket: the original under files/<id>, its thumbnail beside it.
export const originalKey = (fileId: string): string => `files/${fileId}`;
export const thumbnailKey = (fileId: string): string => `files/${fileId}.thumbnail.webp`;
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';
