/** Playlist sources outside Kafka: yes_complete playlist files and synthetic playlists with planted genres. */
package io.streamvec.song2vec.data;
