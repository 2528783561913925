/* The OpenAPI 3.1 document, made from the route table and the permission table, so that the
 * document, the router and the authorization matrix cannot disagree. */
#ifndef LINLI_OPENAPI_H
#define LINLI_OPENAPI_H
#include <jansson.h>

/* A new reference to the whole document. */
json_t *openapi_document(void);
#endif
