#include "CImageCodec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

static int tiff_orientation(const uint8_t *tiff, size_t n);

static void set_message(char *message, size_t size, const char *text) {
  if (message && size > 0) {
    snprintf(message, size, "%s", text);
  }
}

void ic_image_free(ic_image *image) {
  if (image) {
    free(image->pixels);
    image->pixels = NULL;
  }
}

void ic_free(void *pointer) { free(pointer); }

// ---------------------------------------------------------------------------------------- PNG

typedef struct png_source {
  const uint8_t *data;
  size_t size;
  size_t offset;
} png_source;

typedef struct png_failure {
  jmp_buf jump;
  char text[200];
  int truncated;
} png_failure;

static void png_read_memory(png_structp png, png_bytep out, png_size_t count) {
  png_source *src = (png_source *)png_get_io_ptr(png);
  if (src->offset + count > src->size) {
    png_failure *f = (png_failure *)png_get_error_ptr(png);
    f->truncated = 1;
    png_error(png, "unexpected end of file (truncated PNG)");
  }
  memcpy(out, src->data + src->offset, count);
  src->offset += count;
}

static void png_on_error(png_structp png, png_const_charp text) {
  png_failure *f = (png_failure *)png_get_error_ptr(png);
  snprintf(f->text, sizeof f->text, "%s", text);
  longjmp(f->jump, 1);
}

static void png_on_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

int ic_png_decode(const uint8_t *data, size_t size, ic_image *out, char *message, size_t message_size) {
  memset(out, 0, sizeof *out);
  out->orientation = 1;
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    set_message(message, message_size, "not a PNG file (bad signature)");
    return IC_ERROR_FORMAT;
  }
  png_failure failure;
  memset(&failure, 0, sizeof failure);
  png_source source = {data, size, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_on_error, png_on_warning);
  if (!png) {
    set_message(message, message_size, "out of memory");
    return IC_ERROR_MEMORY;
  }
  png_infop info = png_create_info_struct(png);
  // Volatile: modified between setjmp and a possible longjmp.
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    set_message(message, message_size, "out of memory");
    return IC_ERROR_MEMORY;
  }
  if (setjmp(failure.jump)) {
    free(pixels);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    set_message(message, message_size, failure.text);
    return failure.truncated ? IC_ERROR_TRUNCATED : IC_ERROR_FORMAT;
  }
  png_set_read_fn(png, &source, png_read_memory);
  png_set_user_limits(png, 1 << 16, 1 << 16);
  png_read_info(png, info);
  int color = png_get_color_type(png, info);
  int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16) png_set_swap(png);  // host order (little-endian targets)
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_uint_32 width = png_get_image_width(png, info);
  png_uint_32 height = png_get_image_height(png, info);
  int channels = png_get_channels(png, info);
  int out_depth = png_get_bit_depth(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  if ((unsigned long long)width * height > IC_MAX_PIXELS) {
    snprintf(failure.text, sizeof failure.text, "image too large (%ux%u pixels)", width, height);
    longjmp(failure.jump, 1);
  }
  if (width == 0 || height == 0 || channels < 1 || channels > 4 || (out_depth != 8 && out_depth != 16)) {
    snprintf(failure.text, sizeof failure.text, "unsupported PNG layout (%d channels, %d bits)", channels, out_depth);
    longjmp(failure.jump, 1);
  }
  pixels = (uint8_t *)malloc(rowbytes * height);
  rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
  if (!pixels || !rows) {
    snprintf(failure.text, sizeof failure.text, "out of memory for %ux%u image", width, height);
    longjmp(failure.jump, 1);
  }
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + rowbytes * y;
  png_read_image(png, rows);
  png_read_end(png, info);
#ifdef PNG_eXIf_SUPPORTED
  {
    png_bytep exif = NULL;
    png_uint_32 exif_size = 0;
    if (png_get_eXIf_1(png, info, &exif_size, &exif) && exif && exif_size > 0) {
      // Some writers keep the JPEG-style "Exif\0\0" prefix.
      if (exif_size >= 6 && memcmp(exif, "Exif\0\0", 6) == 0) out->orientation = ic_exif_orientation(exif, exif_size);
      else out->orientation = tiff_orientation(exif, exif_size);
    }
  }
#endif
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  out->pixels = pixels;
  out->width = (int)width;
  out->height = (int)height;
  out->channels = channels;
  out->bit_depth = out_depth;
  return IC_OK;
}

// --------------------------------------------------------------------------------------- JPEG

typedef struct jpeg_failure {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char text[JMSG_LENGTH_MAX + 32];
  int truncated;
} jpeg_failure;

static void jpeg_on_error(j_common_ptr cinfo) {
  jpeg_failure *f = (jpeg_failure *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, f->text);
  longjmp(f->jump, 1);
}

static void jpeg_on_message(j_common_ptr cinfo, int level) {
  // A premature end of data is a warning in libjpeg (it pads with gray); treat it as an error
  // so a truncated file is reported and skipped rather than trained on.
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    f->truncated = 1;
    snprintf(f->text, sizeof f->text, "premature end of JPEG data (truncated file)");
    longjmp(f->jump, 1);
  }
}

static uint32_t read_u16(const uint8_t *p, int big) { return big ? ((uint32_t)p[0] << 8) | p[1] : ((uint32_t)p[1] << 8) | p[0]; }
static uint32_t read_u32(const uint8_t *p, int big) {
  return big ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]
             : ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

// The orientation tag (0x0112) of IFD0 in a TIFF-structured EXIF block, or 1.
static int tiff_orientation(const uint8_t *tiff, size_t n) {
  if (n < 8) return 1;
  int big;
  if (tiff[0] == 'I' && tiff[1] == 'I') big = 0;
  else if (tiff[0] == 'M' && tiff[1] == 'M') big = 1;
  else return 1;
  if (read_u16(tiff + 2, big) != 42) return 1;
  uint32_t ifd = read_u32(tiff + 4, big);
  if ((size_t)ifd + 2 > n) return 1;
  uint32_t entries = read_u16(tiff + ifd, big);
  for (uint32_t i = 0; i < entries; i++) {
    size_t at = (size_t)ifd + 2 + 12 * (size_t)i;
    if (at + 12 > n) return 1;
    if (read_u16(tiff + at, big) == 0x0112) {
      uint32_t type = read_u16(tiff + at + 2, big);
      uint32_t value = type == 3 ? read_u16(tiff + at + 8, big) : type == 4 ? read_u32(tiff + at + 8, big) : 0;
      return value >= 1 && value <= 8 ? (int)value : 1;
    }
  }
  return 1;
}

int ic_exif_orientation(const uint8_t *app1, size_t size) {
  if (size < 14 || memcmp(app1, "Exif\0\0", 6) != 0) return 1;
  return tiff_orientation(app1 + 6, size - 6);
}

int ic_jpeg_decode(const uint8_t *data, size_t size, ic_image *out, char *message, size_t message_size) {
  return ic_jpeg_decode_scaled(data, size, 0, 0, out, message, message_size);
}

int ic_jpeg_decode_scaled(const uint8_t *data, size_t size, int min_width, int min_height, ic_image *out,
                          char *message, size_t message_size) {
  memset(out, 0, sizeof *out);
  out->orientation = 1;
  if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
    set_message(message, message_size, "not a JPEG file (bad signature)");
    return IC_ERROR_FORMAT;
  }
  struct jpeg_decompress_struct cinfo;
  jpeg_failure failure;
  memset(&failure, 0, sizeof failure);
  cinfo.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = jpeg_on_error;
  failure.manager.emit_message = jpeg_on_message;
  uint8_t *volatile pixels = NULL;
  uint8_t *volatile row = NULL;
  if (setjmp(failure.jump)) {
    free(pixels);
    free(row);
    jpeg_destroy_decompress(&cinfo);
    set_message(message, message_size, failure.text);
    return failure.truncated ? IC_ERROR_TRUNCATED : IC_ERROR_FORMAT;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
    if (m->marker == JPEG_APP0 + 1) {
      if (m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
        out->orientation = ic_exif_orientation(m->data, m->data_length);
        break;
      }
    }
  }
  int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  if (cmyk) cinfo.out_color_space = JCS_CMYK;
  else if (cinfo.num_components == 1) cinfo.out_color_space = JCS_GRAYSCALE;
  else cinfo.out_color_space = JCS_RGB;
  if (min_width > 0 && min_height > 0) {
    // The stored image is transposed relative to the upright one for orientations 5...8.
    int need_w = out->orientation >= 5 ? min_height : min_width;
    int need_h = out->orientation >= 5 ? min_width : min_height;
    for (unsigned denom = 8; denom >= 2; denom /= 2) {
      unsigned w = (cinfo.image_width + denom - 1) / denom, h = (cinfo.image_height + denom - 1) / denom;
      if (w >= (unsigned)need_w && h >= (unsigned)need_h) {
        cinfo.scale_num = 1;
        cinfo.scale_denom = denom;
        break;
      }
    }
  }
  if ((unsigned long long)cinfo.image_width * cinfo.image_height > IC_MAX_PIXELS) {
    snprintf(failure.text, sizeof failure.text, "image too large (%ux%u pixels)", cinfo.image_width,
             cinfo.image_height);
    longjmp(failure.jump, 1);
  }
  jpeg_start_decompress(&cinfo);
  int width = (int)cinfo.output_width, height = (int)cinfo.output_height;
  int in_channels = cinfo.output_components;
  int channels = cmyk ? 3 : in_channels;
  pixels = (uint8_t *)malloc((size_t)width * height * channels);
  row = (uint8_t *)malloc((size_t)width * in_channels);
  if (!pixels || !row) {
    snprintf(failure.text, sizeof failure.text, "out of memory for %dx%d image", width, height);
    longjmp(failure.jump, 1);
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    int y = (int)cinfo.output_scanline;
    JSAMPROW target = cmyk ? row : pixels + (size_t)y * width * channels;
    jpeg_read_scanlines(&cinfo, &target, 1);
    if (cmyk) {
      // Adobe writes inverted CMYK; this is the conversion Pillow and browsers use.
      uint8_t *dst = pixels + (size_t)y * width * 3;
      for (int x = 0; x < width; x++) {
        unsigned c = row[4 * x], m = row[4 * x + 1], ye = row[4 * x + 2], k = row[4 * x + 3];
        if (cinfo.saw_Adobe_marker) {
          dst[3 * x] = (uint8_t)(c * k / 255);
          dst[3 * x + 1] = (uint8_t)(m * k / 255);
          dst[3 * x + 2] = (uint8_t)(ye * k / 255);
        } else {
          dst[3 * x] = (uint8_t)((255 - c) * (255 - k) / 255);
          dst[3 * x + 1] = (uint8_t)((255 - m) * (255 - k) / 255);
          dst[3 * x + 2] = (uint8_t)((255 - ye) * (255 - k) / 255);
        }
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  free(row);
  out->pixels = pixels;
  out->width = width;
  out->height = height;
  out->channels = channels;
  out->bit_depth = 8;
  return IC_OK;
}

// --------------------------------------------------------------------------------------- zlib

uint32_t ic_crc32(const uint8_t *data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    uInt chunk = size > (1u << 30) ? (1u << 30) : (uInt)size;
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return (uint32_t)crc;
}

int ic_inflate(const uint8_t *src, size_t src_size, int format, size_t expected_size,
               uint8_t **dst, size_t *dst_size, char *message, size_t message_size) {
  *dst = NULL;
  *dst_size = 0;
  int window = format == 0 ? -MAX_WBITS : format == 1 ? 16 + MAX_WBITS : MAX_WBITS;
  z_stream stream;
  memset(&stream, 0, sizeof stream);
  if (inflateInit2(&stream, window) != Z_OK) {
    set_message(message, message_size, "zlib: inflateInit2 failed");
    return IC_ERROR_MEMORY;
  }
  size_t capacity = expected_size > 0 ? expected_size : (src_size * 4 + 1024);
  uint8_t *buffer = (uint8_t *)malloc(capacity ? capacity : 1);
  if (!buffer) {
    inflateEnd(&stream);
    set_message(message, message_size, "zlib: out of memory");
    return IC_ERROR_MEMORY;
  }
  size_t produced = 0, consumed = 0;
  int status = Z_OK;
  for (;;) {
    if (produced == capacity) {
      size_t grown = capacity * 2;
      uint8_t *next = (uint8_t *)realloc(buffer, grown);
      if (!next) {
        free(buffer);
        inflateEnd(&stream);
        set_message(message, message_size, "zlib: out of memory");
        return IC_ERROR_MEMORY;
      }
      buffer = next;
      capacity = grown;
    }
    size_t in_chunk = src_size - consumed > (1u << 30) ? (1u << 30) : src_size - consumed;
    size_t out_chunk = capacity - produced > (1u << 30) ? (1u << 30) : capacity - produced;
    stream.next_in = (Bytef *)(src + consumed);
    stream.avail_in = (uInt)in_chunk;
    stream.next_out = buffer + produced;
    stream.avail_out = (uInt)out_chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    consumed += in_chunk - stream.avail_in;
    produced += out_chunk - stream.avail_out;
    if (status == Z_STREAM_END) {
      // gzip files may hold several members one after another.
      if (format == 1 && consumed < src_size && src[consumed] == 0x1f) {
        inflateReset(&stream);
        continue;
      }
      break;
    }
    if (status == Z_BUF_ERROR && consumed == src_size && stream.avail_out > 0) {
      free(buffer);
      inflateEnd(&stream);
      set_message(message, message_size, "zlib: compressed data ends early (truncated)");
      return IC_ERROR_TRUNCATED;
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      char text[160];
      snprintf(text, sizeof text, "zlib: %s", stream.msg ? stream.msg : "corrupt data");
      free(buffer);
      inflateEnd(&stream);
      set_message(message, message_size, text);
      return IC_ERROR_FORMAT;
    }
  }
  inflateEnd(&stream);
  *dst = buffer;
  *dst_size = produced;
  return IC_OK;
}
