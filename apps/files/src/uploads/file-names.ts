// A stored file's name must not claim another type than the one its bytes were checked to have:
// `invoice.html` checked as text/plain would be saved, and opened, as HTML. A name whose extension
// is not one of its type's gets the type's usual extension appended (`invoice.html.txt`).
import { type SniffableType } from './content-sniffer';

const EXTENSIONS: Readonly<Record<SniffableType, readonly string[]>> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'application/zip': ['zip'],
  'text/plain': ['txt', 'text', 'log'],
};

const MAX_NAME_LENGTH = 255;

function extensionsOf(contentType: string): readonly string[] | undefined {
  return (EXTENSIONS as Readonly<Record<string, readonly string[]>>)[contentType.toLowerCase()];
}

/** `name` if its extension belongs to `contentType`, else `name` with the type's extension added (the stem cut to fit 255 characters). */
export function nameForType(name: string, contentType: string): string {
  const extensions = extensionsOf(contentType);
  if (!extensions) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (extensions.includes(extension)) return name;
  const suffix = `.${extensions[0]}`;
  return [...name].slice(0, MAX_NAME_LENGTH - suffix.length).join('') + suffix;
}
