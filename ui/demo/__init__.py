"""`ecpos demo`: the reference service, a virtual scan box and the app in one command."""
