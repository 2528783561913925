/* QR codes as SVG (libqrencode): for the shift check-in page and the certificate check. */
#ifndef LINLI_QR_H
#define LINLI_QR_H

/* A malloc'd SVG drawing of a QR code for text (error correction M, a 4-module quiet zone), or
 * NULL if text cannot be encoded. */
char *qr_svg(const char *text);
#endif
