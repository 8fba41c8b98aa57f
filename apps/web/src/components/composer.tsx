// The message box: Enter sends, Shift+Enter breaks the line, typing is announced (throttled by
// the store), files can be attached (uploaded before the message is sent).
import { type FormEvent, useRef, useState } from 'react';
import { errorText } from '../client/api';
import { useChat, useStore } from './use-chat';

const MAX_TEXT = 4000;

export function Composer({ channelId, threadId, placeholder }: { channelId: string; threadId?: string; placeholder: string }) {
  const state = useChat();
  const store = useStore();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<{ id: string; name: string }[]>([]);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const inputId = `composer-${threadId ?? channelId}`;

  function submit(event?: FormEvent): void {
    event?.preventDefault();
    const body = text.trim();
    if ((!body && files.length === 0) || uploading) return;
    setText('');
    setFiles([]);
    void store.send(channelId, body || files.map((f) => f.name).join(', '), {
      ...(threadId ? { threadId } : {}),
      ...(files.length ? { fileIds: files.map((f) => f.id) } : {}),
    });
  }

  async function attach(list: FileList | null): Promise<void> {
    if (!list || list.length === 0) return;
    setUploading(true);
    setError(null);
    try {
      for (const file of Array.from(list)) {
        const id = await store.upload(file);
        setFiles((current) => [...current, { id, name: file.name }]);
      }
    } catch (e) {
      setError(`Upload failed: ${errorText(e)}`);
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label className="sr-only" htmlFor={inputId}>
        {placeholder}
      </label>
      <textarea
        id={inputId}
        rows={1}
        value={text}
        maxLength={MAX_TEXT}
        placeholder={placeholder}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) store.typing(channelId);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {!state.unavailable.files && (
        <>
          <input ref={fileInput} id={`${inputId}-file`} type="file" className="sr-only" multiple onChange={(e) => void attach(e.target.files)} />
          <label htmlFor={`${inputId}-file`} className="button attach" aria-label="Attach files" title="Attach files">
            📎
          </label>
        </>
      )}
      <button type="submit" disabled={uploading}>
        Send
      </button>
      {(files.length > 0 || uploading || error) && (
        <div className="attachments" role="status">
          {files.map((f) => (
            <span key={f.id} className="chip">
              {f.name}
            </span>
          ))}
          {uploading && <span>Uploading…</span>}
          {error && <span className="error">{error}</span>}
        </div>
      )}
    </form>
  );
}
