/* QR codes as SVG (see qr.h): one path of unit squares, crisp at any size. */
#include "core/qr.h"
#include <qrencode.h>
#include <stdio.h>

char *qr_svg(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) {
        QRcode_free(qr);
        return NULL;
    }
    int w = qr->width, quiet = 4;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
            w + 2 * quiet, w + 2 * quiet);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                fprintf(f, "M%d %dh1v1h-1z", x + quiet, y + quiet);
    fputs("\"/></svg>", f);
    fclose(f);
    QRcode_free(qr);
    return out;
}
