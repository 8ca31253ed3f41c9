import { apiPageView } from '$server/http/openapi/page-view';

/** The same registry /api/openapi.json is generated from, laid out for reading. */
export const load = () => apiPageView();
