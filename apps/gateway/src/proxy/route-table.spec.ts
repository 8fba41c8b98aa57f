import { routeFor, type UpstreamUrls } from './route-table';

const upstreams: UpstreamUrls = {
  auth: 'http://auth:3001',
  messaging: 'http://messaging:3002',
  presence: 'http://presence:3003',
  files: 'http://files:3004',
};

describe('routeFor', () => {
  it.each([
    ['/auth/login', 'auth'],
    ['/auth', 'auth'],
    ['/auth/.well-known/jwks.json', 'auth'],
    ['/api/presence?userIds=a,b', 'presence'],
    ['/api/files', 'files'],
    ['/api/files/123/complete', 'files'],
    ['/api/workspaces', 'messaging'],
    ['/api/channels/1/messages?before=10', 'messaging'],
    ['/api', 'messaging'],
    ['/api/me/memberships', 'messaging'],
    ['/api/presenceless', 'messaging'],
  ])('routes %s to %s', (url, service) => {
    expect(routeFor(url, upstreams)?.service).toBe(service);
  });

  it('keeps the query string and names the target', () => {
    expect(routeFor('/api/presence?userIds=a,b', upstreams)).toEqual({
      service: 'presence',
      target: 'http://presence:3003',
      url: '/api/presence?userIds=a,b',
    });
  });

  it.each(['/health', '/health/ready', '/metrics', '/docs', '/docs/', '/docs-json', '/socket.io/?EIO=4&transport=polling', '/', '/apix', '/authx', '/unknown'])(
    'leaves %s to the gateway',
    (url) => {
      expect(routeFor(url, upstreams)).toBeUndefined();
    },
  );

  it('decides on the normalised path, and forwards that path', () => {
    expect(routeFor('/api/../health/ready', upstreams)).toBeUndefined();
    expect(routeFor('/api/%2e%2e/metrics', upstreams)).toBeUndefined();
    expect(routeFor('/api/files/../presence?userIds=x', upstreams)).toEqual({
      service: 'presence',
      target: 'http://presence:3003',
      url: '/api/presence?userIds=x',
    });
  });

  it('never treats a protocol-relative or absolute target as a path', () => {
    expect(routeFor('//evil.example/api/x', upstreams)).toBeUndefined();
    expect(routeFor('http://evil.example/api/x', upstreams)).toBeUndefined();
    expect(routeFor('*', upstreams)).toBeUndefined();
    expect(routeFor(undefined, upstreams)).toBeUndefined();
  });
});
