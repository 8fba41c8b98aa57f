// Where a file's bytes live in the bucket. Clients PUT to uploads/<id> (the only key a presigned
// URL is ever signed for); `complete` copies it to files/<id>, checks that copy and deletes the
// upload. The checked original and its thumbnail live under files/, which no client can write, so a
// presigned PUT still valid after `complete` cannot change what was checked.
export const uploadKey = (fileId: string): string => `uploads/${fileId}`;
export const originalKey = (fileId: string): string => `files/${fileId}`;
export const thumbnailKey = (fileId: string): string => `files/${fileId}.thumbnail.webp`;
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';
