// cxx.cpp - a thread spinning in a C++ template member function inside a
// namespace, so a dump must show the demangled name
// "ptprof_test::Worker<int>::run".
#include "common.h"

#include <pthread.h>
#include <string.h>

namespace ptprof_test {

volatile int entered;
volatile unsigned long counter;

template <typename T>
struct Worker {
	__attribute__((noinline)) void run(T step)
	{
		entered = 1;
		for (;;)
			counter += static_cast<unsigned long>(step);
	}
};

__attribute__((noinline)) void start_worker()
{
	Worker<int> w;
	w.run(1);
	counter += 2; // not reached; keeps w.run() from being a tail call
}

} // namespace ptprof_test

static void *worker_thread(void *arg)
{
	announce_self(static_cast<struct announce *>(arg), "cxx-worker");
	ptprof_test::start_worker();
	return nullptr;
}

int main()
{
	struct announce a;
	pthread_t t;
	int err;

	announce_init(&a);
	err = pthread_create(&t, nullptr, worker_thread, &a);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	announce_wait(&a);
	wait_flag(&ptprof_test::entered, "cxx-worker entering Worker<int>::run");
	ready_and_serve(nullptr);
}
