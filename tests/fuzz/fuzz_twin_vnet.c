/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes as what a twin's read returns with IFF_VNET_HDR (a
 * virtio-net header, then the frame) through twin_vnet_split() (lib/exception/twin_vnet.c).
 * The frame is copied into a buffer sized exactly to it, so that ASan sees a read past it.
 * Every frame emitted must fit within the input's bytes plus the header room, and the
 * split must emit something or refuse (-1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin_vnet.h"

struct seen {
	size_t in_len;
	unsigned int frames;
	size_t payload;
};

static int check(void *arg, const uint8_t *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
	struct seen *s = arg;
	volatile uint8_t x = 0;

	/* Touch every byte handed over: ASan checks each lies within the input. */
	for (size_t i = 0; i < hdr_len; i++)
		x ^= hdr[i];
	for (size_t i = 0; i < len; i++)
		x ^= data[i];
	(void)x;
	if (hdr_len > TWIN_VNET_HDR_MAX && len != 0)
		abort();
	s->frames++;
	s->payload += len;
	if (s->payload > s->in_len)
		abort(); /* more payload than the frame had */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	struct seen s = {0};

	if (size < sizeof(vh))
		return 0;
	memcpy(&vh, data, sizeof(vh));
	size_t len = size - sizeof(vh);
	uint8_t *frame = malloc(len ? len : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + sizeof(vh), len);
	s.in_len = len;
	int n = twin_vnet_split(&vh, frame, len, check, &s);
	if ((n < 0 && s.frames != 0) || (n >= 0 && (unsigned int)n != s.frames))
		abort();
	free(frame);
	return 0;
}
