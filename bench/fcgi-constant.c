/* fcgi-constant.c: the cheapest possible FastCGI answer, a baseline for bench/responder.sh. */
/*
 * It answers every request with the same 50-byte body through the same
 * libfcgi calls modvault.fcgi uses (FCGX_Accept_r, FCGX_PutStr), so
 * "modvault .info / this" isolates what modvault itself adds per request
 * (routing, the index lookup, reading and hashing the blob) from what the
 * web server and the FastCGI protocol cost anyway.
 *
 * Built by bench/responder.sh:  cc -O2 -o fcgi-constant fcgi-constant.c -lfcgi
 */
#include <string.h>

#include <fcgiapp.h>

/* Header set and body size like modvault's answer for an .info. */
static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: public, max-age=86400\r\n"
    "Content-Length: 50\r\n"
    "\r\n"
    "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}";

int
main(void)
{
	FCGX_Request r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(answer, (int)strlen(answer), r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
