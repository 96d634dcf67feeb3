// xdnd-drop drops files onto an X window the way a file manager does, speaking the XDND
// protocol (version 5, https://www.freedesktop.org/wiki/Specifications/XDND/): the end-to-end
// tests use it as the drag source xdotool cannot be.
//
//	xdnd-drop WINDOW X Y URI...
//
// WINDOW is an X window id (decimal or 0x hex); X and Y are a point in it, in pixels; each URI
// is offered as a line of text/uri-list ("file:///path"). The drop goes to WINDOW, or to the
// nearest window above or below it that is XDND aware. Like a file manager in the middle of a
// drag, xdnd-drop holds the pointer, so the target learns where the drop is from the XDND
// messages alone. It exits 0 once the target says it took the drop, and non-zero, with a
// message on stderr, when the target refuses it or does not answer within 10 seconds.
//
// Build: gcc -o xdnd-drop xdnd-drop.c -lX11
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static Display *dpy;
static Window src, target;
static Atom XdndAware, XdndSelection, XdndEnter, XdndPosition, XdndStatus, XdndLeave, XdndDrop,
    XdndFinished, XdndActionCopy, uriList, targets;
static char *uris; // the text/uri-list offered
static double deadline;

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void leave(void);

static void fail(const char *msg) {
	static int failing;
	fprintf(stderr, "xdnd-drop: %s\n", msg);
	if (dpy && target && !failing++) leave(); // the target forgets the drag
	exit(1);
}

// xerror reports an X protocol error (a window id that names no window, say) and exits.
static int xerror(Display *d, XErrorEvent *e) {
	char text[200], msg[300];
	XGetErrorText(d, e->error_code, text, sizeof text);
	snprintf(msg, sizeof msg, "X error: %s (request %d, resource 0x%lx)", text, e->request_code, e->resourceid);
	// No X request may be made inside an error handler: exit without telling the target.
	fprintf(stderr, "xdnd-drop: %s\n", msg);
	_exit(1);
	return 0;
}

// awareVersion returns the XDND version w announces in XdndAware; -1 when it has none.
static long awareVersion(Window w) {
	Atom type;
	int format;
	unsigned long n, after;
	unsigned char *data = NULL;
	long v = -1;
	if (XGetWindowProperty(dpy, w, XdndAware, 0, 1, False, XA_ATOM, &type, &format, &n, &after, &data) == Success &&
	    type == XA_ATOM && n == 1)
		v = *(long *)data;
	if (data) XFree(data);
	return v;
}

// findAware returns w or its nearest ancestor that is XDND aware, else the first aware window
// among its descendants; 0 when there is none.
static Window findAware(Window w, int up) {
	Window root, parent, *kids = NULL, found = 0;
	unsigned int n;
	if (awareVersion(w) >= 0) return w;
	if (!XQueryTree(dpy, w, &root, &parent, &kids, &n)) return 0;
	if (up && parent && parent != root) found = findAware(parent, 1);
	for (unsigned int i = 0; !found && i < n; i++) found = findAware(kids[i], 0);
	if (kids) XFree(kids);
	return found;
}

// message sends an XDND client message to the target: data.l[0] is always the source window.
static void message(Atom type, long l1, long l2, long l3, long l4) {
	XEvent e = {0};
	e.xclient.type = ClientMessage;
	e.xclient.window = target;
	e.xclient.message_type = type;
	e.xclient.format = 32;
	e.xclient.data.l[0] = (long)src;
	e.xclient.data.l[1] = l1;
	e.xclient.data.l[2] = l2;
	e.xclient.data.l[3] = l3;
	e.xclient.data.l[4] = l4;
	if (!XSendEvent(dpy, target, False, NoEventMask, &e)) fail("could not send to the target window");
	XFlush(dpy);
}

static void leave(void) { message(XdndLeave, 0, 0, 0, 0); }

// answer gives the target what it asks of the selection: the URIs, or the list of targets.
static void answer(XSelectionRequestEvent *r) {
	XEvent e = {0};
	e.xselection.type = SelectionNotify;
	e.xselection.requestor = r->requestor;
	e.xselection.selection = r->selection;
	e.xselection.target = r->target;
	e.xselection.time = r->time;
	e.xselection.property = r->property ? r->property : r->target; // an obsolete client: None
	if (r->target == uriList) {
		XChangeProperty(dpy, r->requestor, e.xselection.property, uriList, 8, PropModeReplace,
		                (unsigned char *)uris, (int)strlen(uris));
	} else if (r->target == targets) {
		Atom offered[] = {targets, uriList};
		XChangeProperty(dpy, r->requestor, e.xselection.property, XA_ATOM, 32, PropModeReplace,
		                (unsigned char *)offered, 2);
	} else {
		e.xselection.property = None; // refused
	}
	XSendEvent(dpy, r->requestor, False, NoEventMask, &e);
	XFlush(dpy);
}

// next waits for the next XDND message of the given type from the target, answering the
// selection requests that come first; it fails when the deadline passes.
static XClientMessageEvent next(Atom type, const char *what) {
	XEvent e;
	for (;;) {
		while (XPending(dpy)) {
			XNextEvent(dpy, &e);
			if (e.type == SelectionRequest && e.xselectionrequest.selection == XdndSelection)
				answer(&e.xselectionrequest);
			else if (e.type == ClientMessage && e.xclient.message_type == type)
				return e.xclient;
		}
		double left = deadline - now();
		if (left <= 0) {
			char msg[200];
			snprintf(msg, sizeof msg, "timed out waiting for %s from window 0x%lx", what, target);
			fail(msg);
		}
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(ConnectionNumber(dpy), &fds);
		struct timeval tv = {(long)left, (long)((left - (long)left) * 1e6)};
		select(ConnectionNumber(dpy) + 1, &fds, NULL, NULL, &tv);
	}
}

int main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage: xdnd-drop WINDOW X Y URI...\n");
		return 2;
	}
	Window given = strtoul(argv[1], NULL, 0);
	int x = atoi(argv[2]), y = atoi(argv[3]);
	size_t size = 1;
	for (int i = 4; i < argc; i++) size += strlen(argv[i]) + 2;
	uris = calloc(size, 1);
	for (int i = 4; i < argc; i++) strcat(strcat(uris, argv[i]), "\r\n");

	if (!(dpy = XOpenDisplay(NULL))) fail("cannot open the display (is DISPLAY set?)");
	XSetErrorHandler(xerror);
	Window root = DefaultRootWindow(dpy), child;
#define ATOM(name) XInternAtom(dpy, name, False)
	XdndAware = ATOM("XdndAware"), XdndSelection = ATOM("XdndSelection");
	XdndEnter = ATOM("XdndEnter"), XdndPosition = ATOM("XdndPosition"), XdndStatus = ATOM("XdndStatus");
	XdndLeave = ATOM("XdndLeave"), XdndDrop = ATOM("XdndDrop"), XdndFinished = ATOM("XdndFinished");
	XdndActionCopy = ATOM("XdndActionCopy"), uriList = ATOM("text/uri-list"), targets = ATOM("TARGETS");

	// The point in root coordinates, as XdndPosition carries it.
	int rx, ry;
	XWindowAttributes a;
	if (!XGetWindowAttributes(dpy, given, &a)) fail("no such window");
	XTranslateCoordinates(dpy, given, root, x, y, &rx, &ry, &child);
	Window aware = findAware(given, 1);
	if (!aware) fail("neither the window nor its ancestors and descendants have XdndAware");
	// Both sides speak the older of their versions; before 2 there was no XdndFinished.
	long version = awareVersion(aware) < 5 ? awareVersion(aware) : 5;
	if (version < 2) fail("the window speaks an XDND version older than 2");

	// The source: a mapped 1x1 window off screen, which owns the selection and holds the
	// pointer as a file manager's window does while the user drags.
	XSetWindowAttributes sa = {.override_redirect = True};
	src = XCreateWindow(dpy, root, -10, -10, 1, 1, 0, CopyFromParent, InputOutput, CopyFromParent,
	                    CWOverrideRedirect, &sa);
	XMapWindow(dpy, src);
	XSync(dpy, False);
	XSetSelectionOwner(dpy, XdndSelection, src, CurrentTime);
	if (XGetSelectionOwner(dpy, XdndSelection) != src) fail("could not own XdndSelection");
	int grab = XGrabPointer(dpy, src, False, ButtonReleaseMask | PointerMotionMask, GrabModeAsync,
	                        GrabModeAsync, None, None, CurrentTime);
	if (grab != GrabSuccess) fail("could not grab the pointer");
	XWarpPointer(dpy, None, root, 0, 0, 0, 0, rx, ry);
	XSync(dpy, False);

	target = aware;
	deadline = now() + 10;
	// Enter: the version, and three types at most (no XdndTypeList): text/uri-list only.
	message(XdndEnter, version << 24, (long)uriList, 0, 0);
	message(XdndPosition, 0, ((long)rx << 16) | (ry & 0xffff), CurrentTime, (long)XdndActionCopy);
	XClientMessageEvent st = next(XdndStatus, "XdndStatus");
	if (!(st.data.l[1] & 1)) fail("the window does not accept the drop (XdndStatus says no)");
	message(XdndDrop, 0, CurrentTime, 0, 0);
	// The target asks for the selection (answered in next) and says it is done.
	XClientMessageEvent fin = next(XdndFinished, "XdndFinished");
	// Bit 0 says success (version 5); GLFW sends there the size of the data it read, which
	// can be even, so any non-zero value is taken as success.
	if (version >= 5 && fin.data.l[1] == 0) fail("the window did not take the drop (XdndFinished says no)");
	XUngrabPointer(dpy, CurrentTime);
	XCloseDisplay(dpy);
	return 0;
}
