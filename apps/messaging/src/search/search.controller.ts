import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type SearchQuery, SearchQuerySchema, type SearchResponse } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { SearchService } from './search.service';

@Controller('api')
@UseGuards(AuthGuard)
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get('search')
  query(@CurrentUser() caller: AuthenticatedUser, @Query(new ZodValidationPipe(SearchQuerySchema)) query: SearchQuery): Promise<SearchResponse> {
    return this.search.query(caller, query);
  }
}
