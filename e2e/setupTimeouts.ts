// Each test drives a real browser on a real CT study; a cold start on 2 cores takes tens of seconds.
jest.setTimeout(180000);
