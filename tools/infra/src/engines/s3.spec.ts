import { renderS3ProxyProperties, s3ProxyJvmArgs } from './s3';

describe('renderS3ProxyProperties', () => {
  const text = renderS3ProxyProperties({ endpoint: 'http://127.0.0.1:9000', identity: 'local', credential: 'localsecret', baseDir: '/r/.infra/data/s3' });
  const lines = text.split('\n');

  it('serves path-style S3 on 127.0.0.1:9000 with aws v2/v4 auth and fixed credentials', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        's3proxy.endpoint=http://127.0.0.1:9000',
        's3proxy.authorization=aws-v2-or-v4',
        's3proxy.identity=local',
        's3proxy.credential=localsecret',
      ]),
    );
    expect(text).not.toContain('s3proxy.virtual-host');
  });

  it('stores blobs on the local file system under the infra dir', () => {
    expect(lines).toEqual(expect.arrayContaining(['jclouds.provider=filesystem-nio2', 'jclouds.filesystem.basedir=/r/.infra/data/s3']));
  });

  it('allows CORS for browser uploads', () => {
    expect(lines).toContain('s3proxy.cors-allow-all=true');
  });
});

describe('s3ProxyJvmArgs', () => {
  it('caps the heap at 256m and uses our logback config', () => {
    expect(s3ProxyJvmArgs('/r/tools/infra/s3proxy/logback.xml')).toEqual(
      expect.arrayContaining(['-Xmx256m', '-Dlogback.configurationFile=file:///r/tools/infra/s3proxy/logback.xml']),
    );
  });
});
