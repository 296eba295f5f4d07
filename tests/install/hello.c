/* A program built against the installed library only (pkg-config faultline):
 * x86_64 copy_to_user across a page boundary reports the bytes it missed. */
#include <stdio.h>
#include <faultline/uaccess.h>

int main(void)
{
	struct fl_world *w = fl_world_new(NULL);
	char src[16] = "0123456789abcdef";
	unsigned long left;

	if (!w || fl_mmap(w, fl_current(w)->mm, 0x200000, 4096, FL_PROT_READ | FL_PROT_WRITE,
			  FL_MAP_PRIVATE | FL_MAP_FIXED_NOREPLACE, NULL, 0) < 0)
		return 1;
	left = fl_copy_to_user(w, 0x200000 + 4090, src, sizeof(src));
	printf("%lu\n", left);
	fl_world_free(w);
	return left == 10 ? 0 : 1;
}
