-- A newsdesk database at schema version 2.
CREATE TABLE feed (
	id INTEGER NOT NULL, 
	url VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	title VARCHAR, 
	etag VARCHAR, 
	last_modified VARCHAR, 
	last_checked DATETIME, 
	last_outcome VARCHAR, 
	last_error VARCHAR, 
	http_status INTEGER, 
	last_ok DATETIME, 
	last_new INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0, next_try DATETIME, gone BOOLEAN NOT NULL DEFAULT 0, moved_to VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (url)
);
INSERT INTO "feed" VALUES(1,'http://127.0.0.1:9/world.xml','World desk',1,'World','"v1"',NULL,'2024-04-14 10:00:00.000000','ok',NULL,200,'2024-04-14 10:00:00.000000',2,1,'2024-04-14 11:00:00.000000',0,NULL);
CREATE TABLE "match" (
	id INTEGER NOT NULL, 
	story_id INTEGER NOT NULL, 
	entity VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	code VARCHAR, 
	count INTEGER NOT NULL, 
	snippet VARCHAR NOT NULL, 
	occurrences TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
INSERT INTO "match" VALUES(1,1,'Russia','country','RU',1,'Russian FM','[["text", 19, 26, "Russian"]]');
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','2');
INSERT INTO "meta" VALUES('watchlist_fingerprint','old');
CREATE TABLE story (
	id INTEGER NOT NULL, 
	feed_id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	guid VARCHAR, 
	url VARCHAR, 
	title VARCHAR NOT NULL, 
	author VARCHAR, 
	published DATETIME, 
	fetched_at DATETIME NOT NULL, 
	sort_time DATETIME NOT NULL, 
	summary TEXT NOT NULL, 
	text TEXT NOT NULL, 
	text_source VARCHAR NOT NULL, 
	text_note VARCHAR, 
	matched BOOLEAN NOT NULL, 
	read BOOLEAN NOT NULL, 
	starred BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (feed_id, "key"), 
	FOREIGN KEY(feed_id) REFERENCES feed (id) ON DELETE CASCADE
);
INSERT INTO "story" VALUES(1,1,'guid:a','a','http://127.0.0.1:9/a.html','Russia defends Iran''s attack on Israel','Staff','2024-04-14 09:00:00.000000','2024-04-14 10:00:00.000000','2024-04-14 09:00:00.000000','summary','Vladimir Putin and Russian FM Sergei Lavrov met.','page',NULL,1,1,1);
INSERT INTO "story" VALUES(2,1,'guid:b','b','http://127.0.0.1:9/b.html','Weather',NULL,NULL,'2024-04-14 10:00:00.000000','2024-04-14 10:00:00.000000','','Rain today.','feed','the page could not be downloaded',0,0,0);
CREATE INDEX ix_story_matched_sort ON story (matched, sort_time);
CREATE INDEX ix_story_sort ON story (sort_time);
CREATE INDEX ix_story_feed_sort ON story (feed_id, sort_time);
CREATE INDEX ix_match_story_id ON "match" (story_id);
CREATE INDEX ix_match_entity_story ON "match" (entity, story_id);
