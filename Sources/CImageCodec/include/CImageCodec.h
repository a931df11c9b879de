// Small C wrappers over libpng, libjpeg(-turbo) and zlib for TuneData.
//
// libpng and libjpeg report errors by longjmp-ing out of the decoder, which must never cross
// Swift frames. These functions keep every setjmp/longjmp inside C: they decode from a
// memory buffer into a malloc'ed pixel buffer and return 0 on success or a nonzero code with a
// message copied into the caller's buffer.
#ifndef CIMAGECODEC_H
#define CIMAGECODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A decoded image: interleaved HWC samples, `bit_depth` 8 (uint8_t) or 16 (uint16_t, host
/// byte order). `channels` is 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
/// `orientation` is the EXIF orientation tag (1...8; 1 when absent), not yet applied.
typedef struct ic_image {
  void *pixels;
  int width;
  int height;
  int channels;
  int bit_depth;
  int orientation;
} ic_image;

enum {
  IC_OK = 0,
  IC_ERROR_FORMAT = 1,   // not a PNG/JPEG, or a corrupt stream
  IC_ERROR_TRUNCATED = 2,
  IC_ERROR_MEMORY = 3,
  IC_ERROR_UNSUPPORTED = 4,
  IC_ERROR_TOO_LARGE = 5,
};

/// Images with more pixels than this are refused (Pillow's decompression-bomb error threshold,
/// 2 x MAX_IMAGE_PIXELS), so a small hostile file cannot make the decoder allocate gigabytes.
#define IC_MAX_PIXELS 178956970ULL

/// Decodes a PNG: palette expanded to RGB(A) (tRNS becomes alpha), gray below 8 bits expanded
/// to 8, 16-bit samples kept (host order); the orientation comes from an eXIf chunk.
int ic_png_decode(const uint8_t *data, size_t size, ic_image *out, char *message, size_t message_size);

/// Decodes a JPEG to gray or RGB (CMYK/YCCK converted to RGB), reading the EXIF orientation.
int ic_jpeg_decode(const uint8_t *data, size_t size, ic_image *out, char *message, size_t message_size);

/// Like `ic_jpeg_decode`, but lets libjpeg scale by 1/2, 1/4 or 1/8 in the DCT domain (far
/// cheaper than decoding full size), choosing the smallest output whose upright (EXIF-oriented)
/// size is still at least `min_width` x `min_height` (Pillow's `Image.draft`). 0 disables.
int ic_jpeg_decode_scaled(const uint8_t *data, size_t size, int min_width, int min_height, ic_image *out,
                          char *message, size_t message_size);

/// Frees `image->pixels`.
void ic_image_free(ic_image *image);

/// The EXIF orientation (1...8) in an APP1 "Exif\0\0" payload, or 1 when absent/invalid.
int ic_exif_orientation(const uint8_t *app1, size_t size);

/// Inflates `src`: `format` 0 = raw deflate (zip entries), 1 = gzip (may hold several
/// members), 2 = zlib. Writes into a malloc'ed buffer (`*dst`, `*dst_size`), freed with
/// `ic_free`. `expected_size` (0 if unknown) sizes the first allocation.
int ic_inflate(const uint8_t *src, size_t src_size, int format, size_t expected_size,
               uint8_t **dst, size_t *dst_size, char *message, size_t message_size);

/// CRC-32 (zip/gzip polynomial) of a buffer.
uint32_t ic_crc32(const uint8_t *data, size_t size);

void ic_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
