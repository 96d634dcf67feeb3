# Forwards to ./dev, which does the work (a fresh Debian has no make).
.PHONY: run test deps build bench cross smoke package
run test deps build bench cross smoke package:
	./dev $@
