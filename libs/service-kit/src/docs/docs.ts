import { type INestApplication } from '@nestjs/common';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument, type ServiceName } from '@chat/contracts';

/** Serves the service's OpenAPI document, generated from the contracts, at /docs (UI) and /docs-json. */
export function serveDocs(app: INestApplication, service: ServiceName, version: string): void {
  const document = buildOpenApiDocument({ title: `${service} service`, version, service });
  SwaggerModule.setup('docs', app, document as unknown as OpenAPIObject, { jsonDocumentUrl: 'docs-json' });
}
