-- The platform's marks as a government website (issue #20): 主办单位, 联系方式, ICP and 公安 registration
-- numbers, 网站标识码, the 政府网站找错 address — one row, the fields as JSON (gongkai_core::site::SiteInfo).
CREATE TABLE site (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    info TEXT NOT NULL
);
