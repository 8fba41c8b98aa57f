/** The answer of one JSON call: status, parsed body (undefined when empty), headers. */
export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** One HTTP call to the origin; the body is sent and parsed as JSON when there is one. */
export async function http<T = unknown>(origin: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(new URL(path, origin), {
    method,
    headers: {
      accept: 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}
